import { AgentIdentity, DecisionFacts, DecisionReason, IntentProposal, Verdict } from '@agentops/contracts';
import { SERVICE_CONFIG, ServiceCredentials } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { EscalationConfig } from '../config';

export interface PreviewVerdict {
  verdict: Verdict;
  reasons: DecisionReason[];
  /** The catalog facts guardrail checked the intent with (absent from an older guardrail). */
  facts?: DecisionFacts;
}

/**
 * guardrail's dry-run evaluation (POST /v1/evaluations), called as the `escalation` service
 * principal: its own short-lived assertion, which guardrail accepts on that route only.
 */
@Injectable()
export class GuardrailClient {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    private readonly credentials: ServiceCredentials,
  ) {}

  async preview(agent: AgentIdentity, intent: IntentProposal): Promise<PreviewVerdict> {
    const res = await fetch(`${this.config.GUARDRAIL_URL}/v1/evaluations`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: this.credentials.authorization('guardrail'),
      },
      body: JSON.stringify({ agent, intent }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok)
      throw new Error(`guardrail evaluation answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as PreviewVerdict;
  }
}
