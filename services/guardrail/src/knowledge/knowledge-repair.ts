import { ActiveKnowledge } from '@agentops/knowledge-client';
import { LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { activationOf } from './knowledge-import';
import { KNOWLEDGE_DISTRIBUTION, KnowledgeDistribution } from './knowledge-distribution';
import { KNOWLEDGE_VERSIONS, KnowledgeVersions } from './knowledge-versions';

/**
 * Use case at boot: a version stored in PostgreSQL but missing on the topic (the publish failed
 * after the commit) is activated here and published again, so no stored version stays unserved
 * past the next guardrail start. The follower has read the topic by then (module init runs first).
 */
@Injectable()
export class KnowledgeRepair implements OnApplicationBootstrap {
  constructor(
    @Inject(KNOWLEDGE_VERSIONS) private readonly versions: KnowledgeVersions,
    @Inject(KNOWLEDGE_DISTRIBUTION) private readonly distribution: KnowledgeDistribution,
    private readonly active: ActiveKnowledge,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.repair();
  }

  /** The number of tenants whose version had to be republished. */
  async repair(): Promise<number> {
    let repaired = 0;
    for (const { tenantId, kbVersion } of await this.versions.latestVersions()) {
      if ((this.active.current(tenantId)?.kbVersion ?? 0) >= kbVersion) continue;
      const stored = await this.versions.get(tenantId, kbVersion);
      if (!stored) continue;
      const activation = activationOf(stored);
      this.active.activate(activation);
      await this.distribution.distribute(activation);
      repaired++;
      this.logger.warn({ tenantId, kbVersion }, 'knowledge version was not on the topic: republished');
    }
    return repaired;
  }
}
