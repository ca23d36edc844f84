import { InvalidArgumentError } from 'commander';
import { ApiError, apiTargets, describeFailure } from './api-client';
import { parseTimeBound, recordsQuery, recordsTable } from './audit';
import { formatTable, wholeNumber } from './cli-kit';

describe('agentops CLI helpers', () => {
  describe('apiTargets', () => {
    it('defaults every service to its local port and follows the AGENTOPS_*_URL variables', () => {
      expect(apiTargets({})).toMatchObject({
        ingest: 'http://127.0.0.1:3001',
        guardrail: 'http://127.0.0.1:3002',
        escalation: 'http://127.0.0.1:3003',
        killswitch: 'http://127.0.0.1:3004',
        audit: 'http://127.0.0.1:3005',
        rollout: 'http://127.0.0.1:3006',
      });
      const moved = apiTargets({ AGENTOPS_ESCALATION_URL: 'https://esc.example/', AGENTOPS_AUDIT_URL: '' });
      expect(moved.escalation).toBe('https://esc.example');
      expect(moved.audit).toBe('http://127.0.0.1:3005');
    });
  });

  describe('describeFailure: one line per failed call', () => {
    it('uses the service message, the listed problems or the validation issues', () => {
      expect(describeFailure(404, { statusCode: 404, message: 'unknown agent x' })).toBe(
        'HTTP 404: unknown agent x',
      );
      expect(
        describeFailure(422, {
          message: 'policy set rejected; the active set keeps serving',
          summary: ['a.yaml:3:5: No such key: prise', 'b.yaml:1:1: bad'],
        }),
      ).toBe(
        'HTTP 422: policy set rejected; the active set keeps serving: a.yaml:3:5: No such key: prise; b.yaml:1:1: bad',
      );
      expect(
        describeFailure(400, {
          message: 'validation failed',
          issues: [
            { path: 'graceSeconds', message: 'Too big' },
            { path: 'role', message: 'Invalid option' },
          ],
        }),
      ).toBe('HTTP 400: graceSeconds: Too big; role: Invalid option');
      // RFC 9457 problem details: `detail` and the fields `errors` names come first.
      expect(
        describeFailure(400, {
          type: 'about:blank',
          status: 400,
          detail: 'validation failed',
          errors: [{ path: 'graceSeconds', detail: 'Too big' }],
          message: 'legacy',
          issues: [{ path: 'legacy', message: 'legacy' }],
        }),
      ).toBe('HTTP 400: graceSeconds: Too big');
      expect(describeFailure(404, { status: 404, detail: 'unknown agent x', message: 'old' })).toBe(
        'HTTP 404: unknown agent x',
      );
      expect(describeFailure(502, 'Bad gateway\n<html>\n</html>')).toBe(
        'HTTP 502: Bad gateway <html> </html>',
      );
      expect(describeFailure(500, undefined)).toBe('HTTP 500: null');
      expect(new ApiError(403, { message: 'requires one of the roles: sre' }).message).toBe(
        'HTTP 403: requires one of the roles: sre',
      );
    });

    it('never spans lines', () => {
      expect(describeFailure(400, { message: 'a\nb\n  c' })).toBe('HTTP 400: a b c');
    });
  });

  describe('wholeNumber', () => {
    it('accepts whole numbers in range and refuses anything else as a usage error', () => {
      const grace = wholeNumber(0, 86_400);
      expect(grace('0')).toBe(0);
      expect(grace('86400')).toBe(86_400);
      for (const bad of ['-1', '86401', '1.5', 'abc', '', '1e3'])
        expect(() => grace(bad)).toThrow(InvalidArgumentError);
    });
  });

  describe('parseTimeBound', () => {
    const now = new Date('2026-11-24T10:00:00.000Z');

    it('reads ISO times, bare dates and durations ago, always as ISO with offset', () => {
      expect(parseTimeBound('2026-11-24T09:30:00+01:00', now)).toBe('2026-11-24T08:30:00.000Z');
      expect(parseTimeBound('2026-11-24T09:30Z', now)).toBe('2026-11-24T09:30:00.000Z');
      expect(parseTimeBound('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
      expect(parseTimeBound('15m', now)).toBe('2026-11-24T09:45:00.000Z');
      expect(parseTimeBound('2h', now)).toBe('2026-11-24T08:00:00.000Z');
      expect(parseTimeBound('7d', now)).toBe('2026-11-17T10:00:00.000Z');
      expect(parseTimeBound('30s', now)).toBe('2026-11-24T09:59:30.000Z');
    });

    it('refuses times without an offset and anything unreadable', () => {
      for (const bad of ['yesterday', '2026-11-24T10:00:00', '2026-13-45T99:00:00Z', '5w', ''])
        expect(() => parseTimeBound(bad, now)).toThrow(InvalidArgumentError);
    });
  });

  describe('recordsQuery', () => {
    it('maps the filter options onto the records API and leaves out what is unset', () => {
      expect(
        recordsQuery(
          {
            tenant: 'maison',
            correlation: 'c',
            agent: 'a',
            action: 'pricing.set_price',
            verdict: 'deny',
            decidedBy: 'policy',
            type: 't',
            actorKind: 'agent',
            subject: 's',
            from: 'f',
            to: 'u',
            cursor: 'k',
          },
          50,
        ).toString(),
      ).toBe(
        'tenantId=maison&correlationId=c&agentId=a&action=pricing.set_price&verdict=deny&decidedBy=policy&type=t&actorKind=agent&subject=s&from=f&to=u&cursor=k&limit=50',
      );
      expect(recordsQuery({ agent: 'a', tenant: '' }).toString()).toBe('agentId=a');
    });
  });

  describe('tables', () => {
    it('aligns columns, cuts long cells and trims line ends', () => {
      expect(
        formatTable(
          ['A', 'LONG HEADER', 'C'],
          [
            ['xyz', 'b', ''],
            ['1', 'a cell that is far too long', 'z'],
          ],
          12,
        ),
      ).toBe(['A    LONG HEADER   C', 'xyz  b', '1    a cell that…  z'].join('\n'));
    });

    it('shows audit records compactly', () => {
      const table = recordsTable([
        {
          eventId: 'e1',
          chainId: 'agentops.decisions.v1:0',
          sequence: 0,
          type: 'agentops.intent.decided.v1',
          tenantId: 'maison',
          agentId: 'pricing-1',
          correlationId: null,
          actorKind: 'system',
          actorId: 'guardrail',
          action: 'pricing.set_price',
          verdict: 'deny',
          decidedBy: 'policy',
          eventTime: '2026-11-24T10:00:00.000Z',
          recordedAt: '2026-11-24T10:00:00.100Z',
        },
      ]).split('\n');
      expect(table[0]).toMatch(/^RECORDED +TYPE +TENANT +AGENT +ACTION +VERDICT +DECIDED BY +ACTOR +EVENT$/);
      expect(table[1]).toMatch(
        /^2026-11-24T10:00:00.100Z +intent\.decided +maison +pricing-1 +pricing\.set_price +deny +policy +system:guardrail +e1$/,
      );
    });
  });
});
