import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ScenarioResult } from './scenario';

/** The two generated blocks of docs/reliability.md: the faults' table and the soak's. */
type Block = 'faults' | 'soak';
const marks = (block: Block) => ({
  begin: `<!-- ${block} results: written by npm run chaos${block === 'soak' ? ' -- --soak' : ''} -->`,
  end: `<!-- end of ${block} results -->`,
  heading: block === 'soak' ? '## Soak results' : '## Chaos results',
});

export interface RunFacts {
  date: string;
  commit: string;
  ratePerSec: number;
  agents: number;
  brokers: number;
  /** `uptime`'s load averages at the start and the end of the run. */
  loadBefore: string;
  loadAfter: string;
  minutes: number;
}

const cell = (v: number | string | null) => (v === null ? 'not recovered' : String(v));

/** The results table of one run, as docs/reliability.md shows it. */
export function resultsMarkdown(results: ScenarioResult[], facts: RunFacts): string {
  const lines = [
    `Latest \`npm run chaos\` (commit ${facts.commit}, ${facts.date}; ${facts.ratePerSec} intents/s over ${facts.agents} SDK agents,` +
      ` ${facts.brokers} broker${facts.brokers === 1 ? '' : 's'}, ${facts.minutes} min; load average ${facts.loadBefore} at the start, ${facts.loadAfter} at the end):`,
    '',
    '| fault | proposals | accepted | **lost** | **duplicates** | fail-closed | of them outside the fault | recovery (s) | audit chains | answers (decided / fail-closed / unreachable / refused) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results
      .map((r) =>
        [
          r.row.fault,
          r.proposals,
          r.row.accepted,
          `**${r.row.lost}**`,
          `**${r.row.duplicates}**`,
          r.row.fail_closed,
          r.failClosedOutsideWindow,
          cell(r.row.recovery_s),
          r.audit.ok ? `verified (${r.audit.records})` : `FAILED: ${r.audit.firstFailure ?? ''}`,
          `${r.kinds.decided} / ${r.kinds.fail_closed} / ${r.kinds.unreachable} / ${r.kinds.refused}`,
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
  ];
  const notes = results.flatMap((r) => {
    const c = r.check;
    const found = [
      ...(c.missingDecision.length ? [`no decision: ${c.missingDecision.join(', ')}`] : []),
      ...(c.missingProposalRecord.length
        ? [`no audit record of the proposal: ${c.missingProposalRecord.join(', ')}`]
        : []),
      ...(c.missingDecisionRecord.length
        ? [`no audit record of the decision: ${c.missingDecisionRecord.join(', ')}`]
        : []),
      ...(c.duplicateRecords.length ? [`events recorded twice: ${c.duplicateRecords.join(', ')}`] : []),
      ...(c.duplicateDecisions.length ? [`intents decided twice: ${c.duplicateDecisions.join(', ')}`] : []),
      ...r.errors,
    ];
    return found.length ? [`- ${r.row.fault}: ${found.join('; ')}`] : [];
  });
  return [...lines, ...(notes.length ? ['', 'Found:', ...notes] : [])].join('\n');
}

/** Replaces a generated block of docs/reliability.md (or appends it under its heading). */
export function writeResultsSection(path: string, markdown: string, which: Block = 'faults'): void {
  const { begin, end, heading } = marks(which);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const block = `${begin}\n${markdown}\n${end}`;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${heading}\n\n${block}\n`;
  writeFileSync(path, next);
}
