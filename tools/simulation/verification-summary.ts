/** What `GET /v1/audit/verify` answers, as far as the report needs it. */
export interface VerifyAnswer {
  ok?: boolean;
  records?: number;
  chains?: { chainId: string; ok: boolean; checked: number; checkpointsChecked?: number }[];
  firstFailure?: { chainId: string; reason: string; sequence: number; detail?: string };
  error?: string;
}

/**
 * One line a reader can take in: how many chains and records were recomputed and how many signed
 * checkpoints checked, or where the first break is. The per-chain detail stays in the HTML report
 * and `agentops audit verify`.
 */
export function summarizeVerification(v: VerifyAnswer): string {
  if (v.error) return `could not verify: ${v.error}`;
  const chains = v.chains ?? [];
  const checked = chains.reduce((n, c) => n + c.checked, 0);
  const checkpoints = chains.reduce((n, c) => n + (c.checkpointsChecked ?? 0), 0);
  const broken = chains.filter((c) => !c.ok).length;
  const scope = `${chains.length} chains, ${checked} records recomputed, ${checkpoints} signed checkpoints checked`;
  if (!v.firstFailure && broken === 0) return scope;
  const f = v.firstFailure;
  const where = f
    ? `first break: ${f.chainId} at sequence ${f.sequence} (${f.reason}${f.detail ? `: ${f.detail}` : ''})`
    : '';
  return `${scope}; ${broken} broken${where ? `, ${where}` : ''}`;
}
