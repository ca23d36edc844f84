import { verificationSummary } from '../cli/audit-report';
import { fitWidths, reportTable } from './report-table';

const headers = [
  'agent',
  'intents',
  'allowed',
  'denied',
  'modified',
  'halted',
  'reviewed',
  'approved / rejected / SLA / none',
  'audit',
];
const rows = [
  ['personal shopper', '75', '74', '1', '0', '0', '0', '0/0/0/0', '331'],
  ['dynamic pricing', '348', '34', '314', '0', '303', '3', '2/1/0/0', '183'],
];

describe('the terminal report’s tables', () => {
  it('fit 100 columns, with no index column and no quotes', () => {
    const lines = reportTable(headers, rows).split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines.join('\n')).not.toMatch(/\(index\)|'/);
    expect(lines.find((l) => l.includes('personal shopper'))).toMatch(/^│ personal shopper +│ +75 │/);
  });

  it('wrap a cell that does not fit, losing nothing', () => {
    const long = 'a very long reason '.repeat(12).trim();
    const table = reportTable(['name', 'why'], [['x', long]], 60);
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(table.replace(/[│\s]+/g, ' ')).toContain(long.split(' ').slice(0, 6).join(' '));
    expect(table.match(/reason/g)).toHaveLength(12);
  });

  it('right-align numeric columns, left-align the rest, without colours', () => {
    const table = reportTable(
      ['k', 'n'],
      [
        ['a', '5'],
        ['bb', '1,749'],
      ],
    );
    expect(table).toContain('│ a  │     5 │');
    expect(table).not.toContain('\u001b[');
  });

  it('narrow the column with the most room first, then the widest, floor by floor, then to 6', () => {
    expect(fitWidths([10, 40, 10], 50, [[8, 10, 8]])).toEqual([10, 26, 10]);
    expect(fitWidths([20, 30], 40, [[18, 10]])).toEqual([20, 17]);
    expect(fitWidths([20, 12], 25, [[18, 10]])).toEqual([12, 10]);
    // Past the first floor, the widest goes first: wrapped columns end up alike.
    expect(
      fitWidths([20, 30], 40, [
        [20, 25],
        [18, 10],
      ]),
    ).toEqual([18, 19]);
    expect(
      fitWidths([20, 30], 47, [
        [20, 25],
        [18, 10],
      ]),
    ).toEqual([20, 24]);
    expect(fitWidths([8, 8], 10)).toEqual([6, 6]);
  });
});

describe('verificationSummary', () => {
  const chain = (chainId: string, checked: number) => ({
    chainId,
    ok: true,
    checked,
    from: 0,
    lastSequence: checked - 1,
    checkpointsChecked: 1,
  });

  it('says it in one line when every chain passed', () => {
    const chains = Array.from({ length: 27 }, (_, i) => chain(`c${i}`, i === 0 ? 1_749 - 26 * 10 : 10));
    expect(verificationSummary({ ok: true, chains, records: 1_749, keyIds: ['k1'] })).toBe(
      '27 chains, 1,749 records: passed',
    );
  });

  it('lists each broken chain with its first broken record', () => {
    const broken = {
      ...chain('agentops.decisions.v1:3', 40),
      ok: false,
      failure: { reason: 'hash_mismatch', sequence: 17, detail: 'stored hash differs', eventId: 'e-17' },
    };
    expect(
      verificationSummary({ ok: false, chains: [chain('a', 1), broken], records: 41, keyIds: [] }).split(
        '\n',
      ),
    ).toEqual([
      '2 chains, 41 records: FAILED, 1 broken',
      '  BROKEN agentops.decisions.v1:3 at sequence 17 (event e-17): hash_mismatch: stored hash differs',
    ]);
    expect(verificationSummary({ ok: false, chains: [chain('a', 1)], records: 1, keyIds: [] })).toBe(
      '1 chain, 1 record: FAILED',
    );
  });
});
