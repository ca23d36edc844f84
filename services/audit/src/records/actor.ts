import { EventEnvelope, EventTypes } from '@agentops/contracts';

export interface AuditActor {
  kind: 'agent' | 'human' | 'breaker' | 'system';
  id: string;
}

/** Who is answerable for an event: the agent that acted, the human who decided, or the system. */
export function actorOf(event: EventEnvelope): AuditActor {
  const data = (event.data ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case EventTypes.IntentProposed:
    case EventTypes.OutcomeReported:
    case EventTypes.TelemetryRecorded:
      return { kind: 'agent', id: event.agentid ?? 'unknown' };
    case EventTypes.IntentDecided: {
      const by = data['decidedBy'];
      if (by === 'human')
        return {
          kind: 'human',
          id: ((data['reviewers'] as string[] | undefined) ?? []).join(',') || 'unknown',
        };
      if (by === 'breaker') return { kind: 'breaker', id: String(data['decisionSource'] ?? 'breaker') };
      return { kind: 'system', id: event.source };
    }
    case EventTypes.KillSwitchChanged: {
      const actor = String(data['actor'] ?? 'unknown');
      return actor.startsWith('breaker:') ? { kind: 'breaker', id: actor } : { kind: 'human', id: actor };
    }
    default:
      return { kind: 'system', id: event.source };
  }
}
