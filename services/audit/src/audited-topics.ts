import { topicsReadBy } from '@agentops/contracts';

/**
 * Audit reads every topic (the DLQ included) but the two it writes itself and the services' spans:
 * the contracts' table says which (`KafkaAccess.audit`), and the broker's ACLs follow it.
 */
export const AUDITED_TOPICS = topicsReadBy('audit').map((t) => t.name);
