import { z } from 'zod';
import { AgentIdentity } from '../events/common/schema';
import { pageOf } from './page';

/**
 * ingest's agent registry over HTTP (`/v1/agents`): the answers its OpenAPI description names.
 * Requests are validated by the controller's own schemas; these are what comes back.
 */
export const Agent = AgentIdentity.meta({ id: 'Agent' });

/** A page of agents, by id. */
export const AgentList = pageOf('agents', Agent).meta({ id: 'AgentList' });

/** A registration: the new agent and its API key, shown this once. */
export const AgentRegistered = z
  .object({ agent: Agent, apiKey: z.string().startsWith('aok_') })
  .meta({ id: 'AgentRegistered' });

export const AgentScopesSet = z.object({ agent: Agent }).meta({ id: 'AgentScopesSet' });

/** A key rotation: the new key (once), and when the previous keys stop working. */
export const AgentKeyRotated = z
  .object({
    agent: Agent,
    apiKey: z.string().startsWith('aok_'),
    keyId: z.string(),
    /** Now for a grace of 0; null when the agent had no active key. */
    previousKeysExpireAt: z.string().nullable(),
  })
  .meta({ id: 'AgentKeyRotated' });
