import { AbReport, CanaryReport, RolloutScenarioReport } from './rollouts';

/**
 * The rollouts' part of the simulation report, as terminal lines and as an HTML section: when and
 * after how many intents the canary was rolled back, and the A/B result per arm with its interval.
 */
const pct = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)} %`;
const num = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2);

export function canaryLine(c: CanaryReport): string {
  const sent = `${c.proposed.stable ?? 0} stable / ${c.proposed.canary ?? 0} canary intents proposed`;
  if (!c.rollback)
    return `NOT rolled back (status ${c.status}, weights ${weights(c.weights)}; ${sent}); deny rate ${pct(c.denyRate.baseline)} vs ${pct(c.denyRate.candidate)}`;
  const r = c.rollback;
  return (
    `rolled back automatically at ${r.at.slice(11, 19)} UTC, ${r.secondsAfterStart.toFixed(1)} s after its traffic started, after ${r.intents} counted intents ` +
    `(${armsInOrder(c, r.decisions)
      .map(([arm, n]) => `${arm} ${n}`)
      .join(
        ', ',
      )}) by ${r.actor}${r.killSwitchId ? `; kill switch ${r.killSwitchId.slice(0, 8)} on 2.4.0` : ''}`
  );
}

export function abLines(ab: AbReport): string[] {
  return [
    `${ab.key}: ${ab.kpi} per arm (interval valid over every look), ${ab.status}`,
    ...ab.arms.map(
      (a) =>
        `    ${a.arm.padEnd(8)} ${a.variant.padEnd(14)} ${num(a.value)}  [${num(a.interval[0])}, ${num(a.interval[1])}]  n=${a.observations}${ab.winner === a.arm ? '  ← winner' : ''}`,
    ),
    ab.winner
      ? `    winner: ${ab.winner} (the sequential test separated the arms)`
      : '    no winner yet: the sequential test has not separated the arms',
  ];
}

export function rolloutReportLines(r: RolloutScenarioReport): string[] {
  const lines = ['Rollouts'];
  if (r.canary) {
    lines.push(`  canary ${r.canary.key}: ${canaryLine(r.canary)}`);
    if (r.canary.rollback)
      lines.push(
        `    why: ${r.canary.rollback.reason}`,
        `    after the rollback: ${r.canary.candidateAfterRollback.refused} of ${r.canary.candidateAfterRollback.proposed} intents of 2.4.0 refused by the kill switch`,
      );
  }
  if (r.ab) lines.push(...abLines(r.ab).map((l) => `  ${l}`));
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines;
}

export function rolloutReportHtml(
  r: RolloutScenarioReport,
  esc: (s: unknown) => string,
  table: (head: string[], body: unknown[][]) => string,
): string {
  const parts = ['<h2>Rollouts</h2>'];
  if (r.canary) {
    const c = r.canary;
    parts.push(
      `<p>Canary <code>${esc(c.key)}</code> (dynamic pricing 2.4.0 against 2.3.9, guarded on the deny rate): <b class="${c.rollback ? 'ok' : 'ko'}">${esc(canaryLine(c))}</b>.</p>`,
      table(
        ['arm', 'intents proposed', 'counted at rollback', 'weight now'],
        Object.keys({ ...c.proposed, ...c.weights }).map((arm) => [
          arm,
          c.proposed[arm] ?? 0,
          c.rollback?.decisions[arm] ?? '–',
          `${c.weights[arm] ?? 0} %`,
        ]),
      ),
    );
    if (c.rollback)
      parts.push(
        `<p>Evidence: ${esc(c.rollback.reason)}. After the rollback ${c.candidateAfterRollback.refused} of ${c.candidateAfterRollback.proposed} intents of 2.4.0 were refused by the kill switch.</p>`,
      );
  }
  if (r.ab) {
    const ab = r.ab;
    parts.push(
      `<p>A/B experiment <code>${esc(ab.key)}</code>: two customer-service prompts, primary KPI ${esc(ab.kpi)} — ${ab.winner ? `winner <b>${esc(ab.winner)}</b>` : 'no winner yet (the sequential test has not separated the arms)'}.</p>`,
      table(
        ['arm', 'prompt', 'mean', 'interval', 'outcomes', 'decisions'],
        ab.arms.map((a) => [
          `${a.arm}${ab.winner === a.arm ? ' (winner)' : ''}`,
          a.variant,
          num(a.value),
          `[${num(a.interval[0])}, ${num(a.interval[1])}]`,
          a.observations,
          ab.decisions[a.arm] ?? 0,
        ]),
      ),
    );
  }
  for (const p of r.problems) parts.push(`<p class="ko">${esc(p)}</p>`);
  return parts.join('\n');
}

function weights(w: Record<string, number>): string {
  return Object.entries(w)
    .map(([a, p]) => `${a} ${p} %`)
    .join(' / ');
}

/** The baseline first, as the canary's agents were listed, whatever order the counts came in. */
function armsInOrder(c: CanaryReport, counts: Record<string, number>): [string, number][] {
  const order = Object.keys(c.proposed);
  return Object.entries(counts).sort(
    ([a], [b]) => (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1),
  );
}
