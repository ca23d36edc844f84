import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatTable } from '../cli/cli-kit';
import { rolloutReportHtml, rolloutReportLines } from './rollout-report';
import { RolloutScenarioReport } from './rollouts';
import { AGENT_TYPES, AgentTally, FailureModeResult } from './tally';

export interface SimulationReport {
  seconds: number;
  seed: number;
  byType: Map<string, AgentTally & { auditRecords: number }>;
  failureModes: FailureModeResult[];
  breakerTrips: { name: string; switchId: string; at: string; reason: string }[];
  verificationViolations: number;
  auditRecords: number;
  auditVerification: { ok: boolean; detail: string };
  reviewer: { approved: number; rejected: number };
  rollouts?: RolloutScenarioReport;
}

export function printReport(r: SimulationReport): void {
  console.log(`\nAgentOps retail simulation — ${r.seconds.toFixed(0)} s, seed ${r.seed}\n`);
  console.log(
    formatTable(
      [
        'agent',
        'intents',
        'allowed',
        'denied',
        'modified',
        'halted',
        'reviewed',
        'approved/rejected/SLA/none',
        'audit',
      ],
      AGENT_TYPES.map((t) => {
        const x = r.byType.get(t)!;
        return [
          t,
          x.intents,
          x.allowed,
          x.denied,
          x.modified,
          x.halted,
          x.escalated,
          `${x.escalationsApproved}/${x.escalationsRejected}/${x.escalationsTimedOut}/${x.escalationsUnanswered}`,
          x.auditRecords,
        ].map(String);
      }),
    ),
  );
  console.log('\n("reviewed": pending review first, then what the human or the route\'s SLA decided.)\n');
  console.log('Failure modes');
  for (const f of r.failureModes)
    console.log(
      `  ${f.contained ? '✔ contained' : '✘ NOT CONTAINED'}  ${f.name}: ${f.how}\n      by ${f.by}`,
    );
  console.log('');
  console.log(
    `Breakers tripped: ${r.breakerTrips.length ? r.breakerTrips.map((b) => `${b.name} (switch ${b.switchId.slice(0, 8)}, ${b.reason})`).join('; ') : 'none'}`,
  );
  if (r.rollouts) console.log(`\n${rolloutReportLines(r.rollouts).join('\n')}\n`);
  console.log(`Verification violations: ${r.verificationViolations}`);
  console.log(`Reviewer: ${r.reviewer.approved} approved, ${r.reviewer.rejected} rejected`);
  console.log(
    `Audit: ${r.auditRecords} records; chain verification ${r.auditVerification.ok ? 'PASSED' : 'FAILED'}\n  ${r.auditVerification.detail.replace(/\n/g, '\n  ')}`,
  );
}

const COLORS: Record<string, string> = {
  allowed: '#2e7d32',
  modified: '#1565c0',
  escalated: '#ef6c00', // pending review, whatever the human then decided
  denied: '#c62828',
};

/** The same report as a self-contained HTML page with SVG charts (no scripts, no network). */
export function writeHtmlReport(r: SimulationReport, path: string): void {
  const rows = AGENT_TYPES.map((t) => ({ type: t, ...r.byType.get(t)! }));
  const max = Math.max(1, ...rows.map((x) => x.intents));
  const barWidth = 520;
  const bars = rows
    .map((x, i) => {
      let at = 170;
      const segs = (['allowed', 'modified', 'escalated', 'denied'] as const)
        .map((k) => {
          const value =
            k === 'allowed'
              ? x.allowed - x.escalationsApproved
              : k === 'denied'
                ? x.denied - x.escalationsRejected - x.escalationsTimedOut - x.escalationsUnanswered
                : x[k];
          const w = (Math.max(0, value) / max) * barWidth;
          const rect = `<rect x="${at}" y="${20 + i * 40}" width="${w}" height="26" fill="${COLORS[k]}"><title>${k}: ${value}</title></rect>`;
          at += w;
          return rect;
        })
        .join('');
      return `<text x="0" y="${38 + i * 40}" font-size="14">${x.type}</text>${segs}<text x="${at + 6}" y="${38 + i * 40}" font-size="13">${x.intents}</text>`;
    })
    .join('');
  const legend = Object.entries(COLORS)
    .map(
      ([k, c], i) =>
        `<rect x="${170 + i * 120}" y="${30 + rows.length * 40}" width="14" height="14" fill="${c}"/><text x="${190 + i * 120}" y="${42 + rows.length * 40}" font-size="13">${k}</text>`,
    )
    .join('');
  const esc = (s: unknown) =>
    String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const table = (head: string[], body: unknown[][]) =>
    `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${body.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>AgentOps retail simulation</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.35rem .6rem;text-align:left}th{background:#f3f3f3}.ok{color:#2e7d32}.ko{color:#c62828}</style>
<h1>AgentOps retail simulation</h1>
<p>${r.seconds.toFixed(0)} s, seed ${r.seed}. Audit: ${r.auditRecords} records, chain verification <b class="${r.auditVerification.ok ? 'ok' : 'ko'}">${r.auditVerification.ok ? 'passed' : 'FAILED'}</b> (${esc(r.auditVerification.detail)}).</p>
<h2>Decisions per agent type</h2>
<p>An escalated intent is answered <i>pending review</i> at once (HTTP 202, with its task and SLA); the columns after it are what the humans (or the route's SLA) then decided.</p>
<svg width="${barWidth + 260}" height="${60 + rows.length * 40}" role="img" aria-label="decisions per agent type">${bars}${legend}</svg>
${table(
  [
    'agent',
    'intents',
    'allowed',
    'denied',
    'modified',
    'pending review',
    'then approved',
    'rejected',
    'SLA timeout',
    'unanswered',
    'halted',
    'audit records',
  ],
  rows.map((x) => [
    x.type,
    x.intents,
    x.allowed,
    x.denied,
    x.modified,
    x.escalated,
    x.escalationsApproved,
    x.escalationsRejected,
    x.escalationsTimedOut,
    x.escalationsUnanswered,
    x.halted,
    x.auditRecords,
  ]),
)}
<h2>Failure modes</h2>
${table(
  ['failure mode', 'what happened', 'contained', 'how', 'by'],
  r.failureModes.map((f) => [f.name, f.description, f.contained ? 'yes' : 'NO', f.how, f.by]),
)}
<h2>Breakers and verification</h2>
${table(
  ['breaker', 'switch', 'tripped at', 'reason'],
  r.breakerTrips.map((b) => [b.name, b.switchId, b.at, b.reason]),
)}
<p>Verification violations: ${r.verificationViolations}. Reviewer: ${r.reviewer.approved} approved, ${r.reviewer.rejected} rejected.</p>
${r.rollouts ? rolloutReportHtml(r.rollouts, esc, table) : ''}
</html>`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
}
