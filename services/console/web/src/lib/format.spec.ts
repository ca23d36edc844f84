import {
  formatCount,
  formatDuration,
  formatRate,
  formatRelative,
  plural,
  shortEventType,
  shortId,
} from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45_000, '45 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [3 * 60_000 + 20_000, '3 min'],
    [3_600_000, '1 h'],
    [2 * 3_600_000 + 5 * 60_000, '2 h 5 min'],
    [86_400_000, '1 d'],
    [3 * 86_400_000 + 4 * 3_600_000, '3 d 4 h'],
    [-90_000, '1 min'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatRelative', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it('says just now within five seconds', () => {
    expect(formatRelative('2026-11-24T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2026-11-24T12:00:03Z', now)).toBe('just now');
  });
  it('says ago for the past and in for the future', () => {
    expect(formatRelative('2026-11-24T11:59:48Z', now)).toBe('12 s ago');
    expect(formatRelative('2026-11-24T12:05:00Z', now)).toBe('in 5 min');
    expect(formatRelative('2026-11-24T09:30:00Z', now)).toBe('2 h 30 min ago');
  });
  it('renders a dash for missing or bad times', () => {
    expect(formatRelative(null, now)).toBe('—');
    expect(formatRelative('not a date', now)).toBe('—');
  });
});

describe('small formatters', () => {
  it('formats rates with one decimal below 100', () => {
    expect(formatRate(0)).toBe('0.0');
    expect(formatRate(12.345)).toBe('12.3');
    expect(formatRate(250.6)).toBe('251');
    expect(formatRate(Number.NaN)).toBe('0');
  });
  it('groups thousands', () => {
    expect(formatCount(2251)).toBe('2,251');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(12)).toBe('12');
  });
  it('shortens event types and ids', () => {
    expect(shortEventType('agentops.intent.decided.v1')).toBe('intent decided');
    expect(shortEventType('agentops.policy.set_activated.v1')).toBe('policy set activated');
    expect(shortId('019ab3c0-7f3a-7b1e-9d9e-5c2a1f00e4d7')).toBe('1f00e4d7');
    expect(shortId(null)).toBe('—');
  });
  it('pluralises', () => {
    expect(plural(1, 'agent')).toBe('1 agent');
    expect(plural(3, 'agent')).toBe('3 agents');
    expect(plural(0, 'policy', 'policies')).toBe('0 policies');
  });
});
