/** What `GET /v1/audit/verify` answers, and how a person reads it (the CLI's verify, the demo's report). */
export interface ChainReport {
  chainId: string;
  ok: boolean;
  checked: number;
  from: number;
  lastSequence: number;
  checkpointsChecked: number;
  failure?: { reason: string; sequence: number; detail: string; eventId?: string };
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
  records: number;
  keyIds: string[];
  firstFailure?: ChainReport['failure'] & { chainId: string };
}

/** Broken chains (every chain with `verbose`), each with its first broken record, then one summary line. */
export function verifyText(r: VerifyReport, verbose: boolean): string {
  const lines = r.chains
    .filter((c) => verbose || !c.ok)
    .map((c) => {
      const f = c.failure;
      return (
        `${c.ok ? 'ok    ' : 'BROKEN'}  ${c.chainId}  ${c.checked} record(s) from ${c.from}, ${c.checkpointsChecked} signed checkpoint(s)` +
        (f
          ? `\n        first broken record: sequence ${f.sequence}${f.eventId ? `, event ${f.eventId}` : ''}: ${f.reason}: ${f.detail}`
          : '')
      );
    });
  lines.push(
    `${r.ok ? 'verified' : 'BROKEN'}: ${r.chains.length} chain(s), ${r.records} record(s); checkpoint keys: ${r.keyIds.join(', ') || 'none'}`,
  );
  return lines.join('\n');
}

/**
 * One line for a person: `27 chains, 1,749 records: passed`, or `…: 2 broken` followed by one line
 * per broken chain with its first broken record.
 */
export function verificationSummary(r: VerifyReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const broken = r.chains.filter((c) => !c.ok);
  const plural = (x: number, word: string) => `${n(x)} ${word}${x === 1 ? '' : 's'}`;
  const head = `${plural(r.chains.length, 'chain')}, ${plural(r.records, 'record')}: ${
    r.ok ? 'passed' : broken.length ? `FAILED, ${n(broken.length)} broken` : 'FAILED'
  }`;
  return [
    head,
    ...broken.map((c) => {
      const f = c.failure;
      return `  BROKEN ${c.chainId}${f ? ` at sequence ${f.sequence}${f.eventId ? ` (event ${f.eventId})` : ''}: ${f.reason}: ${f.detail}` : ''}`;
    }),
  ].join('\n');
}
