import type { AgentScopes } from '@agentops/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A registered agent: who it is and which cohort labels switches and policies select it by. */
@Entity({ name: 'agents' })
export class AgentEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: string;

  @Column({ type: 'text' })
  version!: string;

  @Column({ type: 'text' })
  region!: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  labels!: Record<string, string>;

  /** Null: the role's default scopes apply. */
  @Column({ type: 'jsonb', nullable: true })
  scopes!: AgentScopes | null;

  @Column({ name: 'owner_team', type: 'text', nullable: true })
  ownerTeam!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** API keys are stored as SHA-256 digests; the clear key is shown once, at creation. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ name: 'key_id', type: 'text' })
  keyId!: string;

  @Column({ name: 'agent_id', type: 'text' })
  agentId!: string;

  @Column({ name: 'secret_hash', type: 'text' })
  secretHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** Set when a rotation left the key a grace period; it stops authenticating at this time. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
