import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GroundingSection, groundingHtml, groundingLines } from './report-grounding';
import { reportTable } from './report-table';
import { DataAccessScenarioReport, dataAccessReportHtml, dataAccessReportLines } from './data-access';
import { rolloutReportHtml, rolloutReportLines } from './rollout-report';
import { RolloutScenarioReport } from './rollouts';
import { AGENT_TYPES, AgentTally, FailureModeResult } from './tally';

/** A span of ingest's trace store, as much of it as the report shows. */
export interface ExampleSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  source: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: string };
  model?: string | null;
}

export interface SimulationReport {
  seconds: number;
  seed: number;
  byType: Map<string, AgentTally & { auditRecords: number }>;
  /** Each with the trace id of one example intent, when the trace store has it. */
  failureModes: FailureModeResult[];
  /** One failure mode's whole trace, shown in the HTML report. */
  exampleTrace?: { failureMode: string; traceId: string; spans: ExampleSpan[] };
  /** Where the console is: the report links traces to its Traces page. */
  consoleUrl?: string;
  breakerTrips: { name: string; switchId: string; at: string; reason: string }[];
  verificationViolations: number;
  auditRecords: number;
  auditVerification: { ok: boolean; detail: string };
  reviewer: { approved: number; rejected: number };
  /** The shopper's pitches checked against approved knowledge (absent when the run had none). */
  grounding?: GroundingSection;
  rollouts?: RolloutScenarioReport;
  /** The sweep and the slow leak (issue #17): detection time and records exposed. */
  dataAccess?: DataAccessScenarioReport;
}

export function printReport(r: SimulationReport): void {
  console.log(`\nAgentOps retail simulation — ${r.seconds.toFixed(0)} s, seed ${r.seed}\n`);
  console.log(
    reportTable(
      [
        'agent',
        'intents',
        'allowed',
        'denied',
        'modified',
        'halted',
        'reviewed',
        'approved / rejected / SLA / none',
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
  console.log(
    reportTable(
      ['', 'failure mode', 'what happened', 'contained by'],
      r.failureModes.map((f) => [f.contained ? '✔' : '✘ NOT CONTAINED', f.name, f.how, f.by]),
    ),
  );
  const traced = r.failureModes.filter((f) => f.traceId);
  if (traced.length) {
    console.log('Example traces (one intent per failure mode)');
    for (const f of traced)
      console.log(
        `  ${f.name}: ${f.traceId}${r.consoleUrl ? `\n    ${traceLink(r.consoleUrl, f.traceId!)}` : ''}`,
      );
  }
  console.log('');
  if (r.breakerTrips.length) {
    console.log('Breakers tripped');
    console.log(
      reportTable(
        ['breaker', 'switch', 'at', 'reason'],
        r.breakerTrips.map((b) => [b.name, b.switchId.slice(0, 8), b.at, b.reason]),
      ),
    );
  } else console.log('Breakers tripped: none');
  if (r.rollouts) console.log(`\n${rolloutReportLines(r.rollouts).join('\n')}\n`);
  if (r.dataAccess) console.log(`${dataAccessReportLines(r.dataAccess).join('\n')}\n`);
  console.log(`Verification violations: ${r.verificationViolations}`);
  console.log(`Reviewer: ${r.reviewer.approved} approved, ${r.reviewer.rejected} rejected`);
  if (r.grounding) console.log(`\n${groundingLines(r.grounding).join('\n')}\n`);
  console.log(`Audit chain verification: ${r.auditVerification.detail}`);
}

/** The console's page for a trace. */
export function traceLink(consoleUrl: string, traceId: string): string {
  return `${consoleUrl.replace(/\/$/, '')}/#/traces/${traceId}`;
}

export interface TraceBar {
  span: ExampleSpan;
  depth: number;
  /** 0..1 of the trace's duration. */
  offset: number;
  width: number;
  ms: number;
}

/** A trace's spans as waterfall bars: tree order (children under parents, by start), instants visible. */
export function traceBars(spans: ExampleSpan[]): TraceBar[] {
  if (!spans.length) return [];
  const start = (s: ExampleSpan) => BigInt(s.startTimeUnixNano);
  const end = (s: ExampleSpan) =>
    BigInt(s.endTimeUnixNano) < start(s) ? start(s) : BigInt(s.endTimeUnixNano);
  const t0 = spans.map(start).reduce((a, b) => (b < a ? b : a));
  const total = spans.map(end).reduce((a, b) => (b > a ? b : a)) - t0;
  const ids = new Set(spans.map((s) => s.spanId));
  const out: TraceBar[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    const kids = spans
      .filter((s) => (s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null) === parent)
      .sort((a, b) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : 0));
    for (const s of kids) {
      if (seen.has(s.spanId)) continue;
      seen.add(s.spanId);
      const frac = (ns: bigint) => (total > 0n ? Number((ns * 10_000n) / total) / 10_000 : 0);
      out.push({
        span: s,
        depth,
        offset: Math.min(frac(start(s) - t0), 0.995),
        width: Math.max(0.005, frac(end(s) - start(s))),
        ms: Number((end(s) - start(s)) / 1000n) / 1000,
      });
      visit(s.spanId, depth + 1);
    }
  };
  visit(null, 0);
  return out;
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
<table><tr>${['failure mode', 'what happened', 'contained', 'how', 'by', 'example trace'].map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${r.failureModes
    .map(
      (f) =>
        `<tr>${[f.name, f.description, f.contained ? 'yes' : 'NO', f.how, f.by].map((c) => `<td>${esc(c)}</td>`).join('')}<td>${
          f.traceId
            ? r.consoleUrl
              ? `<a href="${esc(traceLink(r.consoleUrl, f.traceId))}"><code>${esc(f.traceId)}</code></a>`
              : `<code>${esc(f.traceId)}</code>`
            : '—'
        }</td></tr>`,
    )
    .join('')}</table>
${r.exampleTrace ? traceSection(r.exampleTrace, esc) : ''}
<h2>Breakers and verification</h2>
${table(
  ['breaker', 'switch', 'tripped at', 'reason'],
  r.breakerTrips.map((b) => [b.name, b.switchId, b.at, b.reason]),
)}
<p>Verification violations: ${r.verificationViolations}. Reviewer: ${r.reviewer.approved} approved, ${r.reviewer.rejected} rejected.</p>
${r.grounding ? groundingHtml(r.grounding, esc, table) : ''}
${r.rollouts ? rolloutReportHtml(r.rollouts, esc, table) : ''}
${r.dataAccess ? dataAccessReportHtml(r.dataAccess, esc, table) : ''}
</html>`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
}

function traceSection(t: NonNullable<SimulationReport['exampleTrace']>, esc: (s: unknown) => string): string {
  const bars = traceBars(t.spans);
  const width = 480;
  const rows = bars
    .map((b, i) => {
      const fill =
        b.span.status.code === 'error' ? '#c62828' : b.span.source === 'agent' ? '#0277bd' : '#6a1b9a';
      const y = 8 + i * 24;
      return `<text x="${4 + b.depth * 12}" y="${y + 13}" font-size="12">${esc(b.span.name)}${b.span.model ? ` · ${esc(b.span.model)}` : ''}</text><rect x="${300 + b.offset * width}" y="${y}" width="${b.width * width}" height="16" fill="${fill}"><title>${esc(b.span.name)}: ${b.ms} ms (${esc(b.span.source)})</title></rect><text x="${300 + width + 8}" y="${y + 13}" font-size="12">${b.ms.toFixed(1)} ms</text>`;
    })
    .join('');
  return `<h2>One trace: ${esc(t.failureMode)}</h2>
<p>Trace <code>${esc(t.traceId)}</code> from ingest's trace store: the agent's spans (blue), the platform's decision and review (purple), denials in red.</p>
<svg width="${300 + width + 80}" height="${16 + bars.length * 24}" role="img" aria-label="trace waterfall">${rows}</svg>`;
}
