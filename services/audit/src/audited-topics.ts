import { Topics, allTopics } from '@agentops/contracts';

/** Audit reads every topic (the DLQ included) but the two it writes itself. */
export const AUDITED_TOPICS = allTopics
  .map((t) => t.name)
  .filter((name) => name !== Topics.audit.name && name !== Topics.auditCheckpoints.name);
