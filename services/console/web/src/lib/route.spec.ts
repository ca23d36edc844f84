import { parseRoute, routeHref } from './route';

describe('parseRoute', () => {
  it('defaults to the overview', () => {
    expect(parseRoute('')).toEqual({ page: 'overview', rest: [], query: {} });
    expect(parseRoute('#/')).toEqual({ page: 'overview', rest: [], query: {} });
    expect(parseRoute('#/nowhere/1')).toEqual({ page: 'overview', rest: [], query: {} });
  });
  it('reads pages, sub-paths and queries', () => {
    expect(parseRoute('#/escalations/abc')).toEqual({ page: 'escalations', rest: ['abc'], query: {} });
    expect(parseRoute('#/audit/intent/0f6c')).toEqual({ page: 'audit', rest: ['intent', '0f6c'], query: {} });
    expect(parseRoute('#/audit?agentId=px%201&verdict=deny&x')).toEqual({
      page: 'audit',
      rest: [],
      query: { agentId: 'px 1', verdict: 'deny', x: '' },
    });
  });
  it('round-trips hrefs', () => {
    const href = routeHref('audit', [], {
      action: 'pricing.*',
      from: '2026-11-24T10:00:00.000Z',
      agentId: '',
    });
    expect(href).toBe('#/audit?action=pricing.*&from=2026-11-24T10%3A00%3A00.000Z');
    expect(parseRoute(href).query).toEqual({ action: 'pricing.*', from: '2026-11-24T10:00:00.000Z' });
    expect(routeHref('escalations', ['a/b'])).toBe('#/escalations/a%2Fb');
  });
});
