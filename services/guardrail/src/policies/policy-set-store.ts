import { CompiledPolicySet } from '@agentops/policy';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface StoredPolicy {
  id: string;
  version: string;
  mode: 'enforce' | 'shadow';
  file: string;
  source: string;
}

export interface StoredPolicySet {
  version: string;
  policies: StoredPolicy[];
  appliedBy: string;
  appliedAt: Date;
  active: boolean;
}

/** Every applied policy set, versioned in PostgreSQL; the active one is what instances boot with. */
@Injectable()
export class PolicySetStore {
  constructor(private readonly dataSource: DataSource) {}

  async saveActive(set: CompiledPolicySet, appliedBy: string): Promise<void> {
    const policies: StoredPolicy[] = set.policies.map((p) => ({
      id: p.id,
      version: p.version,
      mode: p.mode,
      file: p.file,
      source: p.source,
    }));
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`UPDATE policy_sets SET active = false WHERE active`);
      await tx.query(
        `INSERT INTO policy_sets (version, policies, applied_by, active) VALUES ($1, $2, $3, true)
         ON CONFLICT (version) DO UPDATE SET active = true, applied_by = EXCLUDED.applied_by, applied_at = now()`,
        [set.version, JSON.stringify(policies), appliedBy],
      );
    });
  }

  async active(): Promise<StoredPolicySet | null> {
    const [row] = await this.dataSource.query(
      `SELECT version, policies, applied_by, applied_at, active FROM policy_sets WHERE active`,
    );
    return row ? toSet(row) : null;
  }

  async history(limit = 50): Promise<StoredPolicySet[]> {
    const rows = await this.dataSource.query(
      `SELECT version, policies, applied_by, applied_at, active FROM policy_sets ORDER BY applied_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toSet);
  }
}

function toSet(row: {
  version: string;
  policies: StoredPolicy[];
  applied_by: string;
  applied_at: Date;
  active: boolean;
}): StoredPolicySet {
  return {
    version: row.version,
    policies: row.policies,
    appliedBy: row.applied_by,
    appliedAt: row.applied_at,
    active: row.active,
  };
}
