import { abLines, canaryLine, rolloutReportHtml, rolloutReportLines } from './rollout-report';
import { AbReport, CanaryReport, RolloutScenarioReport } from './rollouts';

const canary = (over: Partial<CanaryReport> = {}): CanaryReport => ({
  key: 'sim-pricing-2-4-x',
  id: 'c0ffee00-0000-7000-8000-000000000001',
  status: 'rolled_back',
  weights: { stable: 100, canary: 0 },
  proposed: { stable: 1210, canary: 402 },
  rollback: {
    at: '2026-12-02T14:00:21.500Z',
    secondsAfterStart: 21.46,
    intents: 1544,
    // As the rollout service lists them: the candidate first. The report puts the baseline first.
    decisions: { canary: 384, stable: 1160 },
    actor: 'analysis',
    reason: 'deny rate of canary is worse than the baseline',
    killSwitchId: '0badcafe-0000-7000-8000-000000000002',
  },
  candidateAfterRollback: { proposed: 9, refused: 9 },
  denyRate: { baseline: 0.049, candidate: null, effect: [null, null], test: 'harm' },
  ...over,
});

const ab = (winner: string | null): AbReport => ({
  key: 'sim-cs-prompts-x',
  id: 'c0ffee00-0000-7000-8000-000000000003',
  status: winner ? 'concluded' : 'running',
  kpi: 'business value (result.csat)',
  arms: [
    { arm: 'formal', variant: 'cs-formal-v3', value: 4.01, interval: [3.9, 4.12], observations: 310 },
    { arm: 'warm', variant: 'cs-warm-v4', value: 4.26, interval: [4.15, 4.37], observations: 305 },
  ],
  winner,
  decisions: { formal: 312, warm: 306 },
});

describe('the rollouts section of the simulation report', () => {
  it('says when and after how many counted intents the canary was rolled back, per arm, and by what', () => {
    expect(canaryLine(canary())).toBe(
      'rolled back automatically at 14:00:21 UTC, 21.5 s after its traffic started, after 1544 counted intents (stable 1160, canary 384) by analysis; kill switch 0badcafe on 2.4.0',
    );
  });

  it('says plainly when the canary was not rolled back', () => {
    expect(
      canaryLine(canary({ status: 'running', weights: { stable: 75, canary: 25 }, rollback: undefined })),
    ).toMatch(
      /^NOT rolled back \(status running, weights stable 75 % \/ canary 25 %; 1210 stable \/ 402 canary intents proposed\)/,
    );
  });

  it('shows each prompt with its mean and interval, and the winner only when the test named one', () => {
    expect(abLines(ab(null))).toEqual([
      'sim-cs-prompts-x: business value (result.csat) per arm (interval valid over every look), running',
      '    formal   cs-formal-v3   4.01  [3.90, 4.12]  n=310',
      '    warm     cs-warm-v4     4.26  [4.15, 4.37]  n=305',
      '    no winner yet: the sequential test has not separated the arms',
    ]);
    expect(abLines(ab('warm')).slice(2)).toEqual([
      '    warm     cs-warm-v4     4.26  [4.15, 4.37]  n=305  ← winner',
      '    winner: warm (the sequential test separated the arms)',
    ]);
  });

  it('lists the refusals after the rollback and any problem, in the terminal and in HTML', () => {
    const report: RolloutScenarioReport = {
      canary: canary(),
      ab: ab(null),
      refusals: {},
      problems: ['rollouts: HTTP 400 <spec.unit>'],
    };
    const lines = rolloutReportLines(report);
    expect(lines).toContain('    after the rollback: 9 of 9 intents of 2.4.0 refused by the kill switch');
    expect(lines.at(-1)).toBe('  problem: rollouts: HTTP 400 <spec.unit>');
    const esc = (s: unknown) => String(s).replace(/</g, '&lt;');
    const html = rolloutReportHtml(
      report,
      esc,
      (head, body) => `${head.join('|')}\n${body.map((r) => r.join('|')).join('\n')}`,
    );
    expect(html).toContain('stable|1210|1160|100 %');
    expect(html).toContain('warm|cs-warm-v4|4.26|[4.15, 4.37]|305|306');
    expect(html).toContain('HTTP 400 &lt;spec.unit>');
  });
});
