import { RunningService } from '@agentops/service-runtime';
import fc from 'fast-check';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ACCESS_RULES, AccessRule, SERVICE_NAMES, ServiceName, rulesOf } from '../security/access-rules';
import { bootWiredPlatform } from '../support/platform';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';
import { FuzzAnswer, FuzzRequest, closeConnections, requestsFor, send } from './http-fuzz';
import { recordReliability } from '../../tools/reliability/summary';

/**
 * Issue #19 item 3: every public endpoint of the six services, fuzzed (bodies, headers, query
 * strings, path ids) on the real stack. Nothing answers 5xx, nothing stops answering, and every
 * 400 names what it refuses. FUZZ_REQUESTS sets the total (the test command runs a few thousand;
 * `npm run fuzz` runs 100,000 and records the totals in docs/reliability.json); FUZZ_SEED replays.
 */
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 4000);
// A fixed seed in the test command, so CI is repeatable; `npm run fuzz` draws a new one each run.
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const CONCURRENCY = 16;
const RUN = Date.now().toString(36);
const TENANT = `fuzz-${RUN}`;

/** Routes whose call would cut the suite's own credential (sign-out revokes the bearer it is given). */
const revokesCaller = (route: string) => /\/logout\b/.test(route);

interface Finding {
  service: ServiceName;
  request: FuzzRequest;
  answer?: FuzzAnswer;
  error?: string;
}

/** A 400's body names the field, header, parameter or part it refuses (any of the platform's shapes). */
export function namesWhatItRefuses(text: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  const b = body as Record<string, unknown>;
  const listNames = (list: unknown) =>
    Array.isArray(list) &&
    list.length > 0 &&
    list.every(
      (e) =>
        e !== null &&
        typeof e === 'object' &&
        (Array.isArray((e as { path?: unknown }).path) ||
          typeof (e as { path?: unknown }).path === 'string' ||
          typeof (e as { field?: unknown }).field === 'string' ||
          typeof (e as { pointer?: unknown }).pointer === 'string'),
    );
  if (listNames(b.issues) || listNames(b.errors)) return true;
  if (typeof b.field === 'string' || typeof b.parameter === 'string') return true;
  const message = [b.message, b.detail].find((m) => typeof m === 'string') as string | undefined;
  // "<field>: …", "<field> must …", or the part of the request it is about.
  return (
    message !== undefined &&
    (/^[A-Za-z_$][\w.$[\]-]*(:| must | is | has | may )/.test(message) ||
      /\b(body|path|param(eter)?|query|header|cookie|JSON)\b/i.test(message))
  );
}

describe('fuzzing every public endpoint (issue #19 item 3)', () => {
  let svc: Record<ServiceName, RunningService>;
  let agentKey: string;

  beforeAll(async () => {
    svc = await bootWiredPlatform();
    const registered = await AgentRegistry.of(svc.ingest.parts.dataSource).register({
      id: `${TENANT}-pricing`,
      tenantId: TENANT,
      name: 'pricing',
      role: 'pricing',
      version: '1',
      region: 'eu',
    });
    agentKey = registered.apiKey;
  }, 240_000);

  afterAll(async () => {
    closeConnections();
    for (const name of [...SERVICE_NAMES].reverse()) await svc?.[name]?.close();
  });

  const credentialFor = (rule: AccessRule): Record<string, string> => {
    if (rule.who.kind === 'agent') return { 'x-api-key': agentKey };
    if (rule.who.kind === 'public' || revokesCaller(rule.route)) return {};
    return { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
  };

  it(
    `answers ${TOTAL} fuzzed requests with no 5xx, no dropped connection and 400s that name the field`,
    async () => {
      const targets = SERVICE_NAMES.flatMap((service) => rulesOf(service).map((rule) => ({ service, rule })));
      expect(targets.length).toBeGreaterThan(60);
      const perRoute = Math.max(10, Math.ceil(TOTAL / targets.length));
      // Drawn route by route as the workers reach them, so a 100,000-request run holds one route's worth.
      const routeQueue = targets.map((target, i) => ({ ...target, seed: SEED + i }));
      let current: { service: ServiceName; requests: FuzzRequest[] } | undefined;
      let sent = 0;
      const nextRequest = (): { service: ServiceName; request: FuzzRequest } | undefined => {
        while (!current?.requests.length) {
          const route = routeQueue.shift();
          if (!route) return undefined;
          current = {
            service: route.service,
            requests: fc.sample(requestsFor(route.rule.route, credentialFor(route.rule)), {
              numRuns: perRoute,
              seed: route.seed,
            }),
          };
        }
        sent++;
        return { service: current.service, request: current.requests.shift()! };
      };
      const statuses = new Map<number, number>();
      const serverErrors: Finding[] = [];
      const transportErrors: Finding[] = [];
      const unnamedRefusals: Finding[] = [];
      const worker = async () => {
        for (let next = nextRequest(); next; next = nextRequest()) {
          const { service, request } = next;
          try {
            const answer = await send(svc[service].url, request);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            // A readiness probe's 503 is its answer ("not ready": a dependency check timed out under
            // the run's load), not a failure; every other 5xx is.
            const readiness = request.path.startsWith('/health/ready') && answer.status === 503;
            if (answer.status >= 500 && !readiness) serverErrors.push({ service, request, answer });
            else if (answer.status === 400 && !namesWhatItRefuses(answer.text))
              unnamedRefusals.push({ service, request, answer });
          } catch (error) {
            transportErrors.push({ service, request, error: (error as Error).message });
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      // Still alive: every service answers its liveness probe after the run.
      const live = await Promise.all(
        SERVICE_NAMES.map(async (name) => (await fetch(`${svc[name].url}/health/live`)).status),
      );
      const crashes = live.filter((s) => s !== 200).length + transportErrors.length;
      const fivexx = serverErrors.length;
      const show = (findings: Finding[]) =>
        findings.slice(0, 5).map(({ service, request, answer, error }) => ({
          service,
          method: request.method,
          path: request.path.slice(0, 200),
          headers: Object.keys(request.headers),
          body: request.body && {
            contentType: request.body.contentType,
            text: request.body.text.slice(0, 200),
          },
          status: answer?.status,
          answer: answer?.text.slice(0, 300),
          error,
        }));
      recordReliability({ fuzz_requests: sent, fuzz_5xx: fivexx, fuzz_crashes: crashes });
      console.log(
        `fuzz: ${sent} requests over ${targets.length} routes (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
      );
      expect({
        serverErrors: show(serverErrors),
        transportErrors: show(transportErrors),
        unnamedRefusals: show(unnamedRefusals),
        live,
      }).toEqual({ serverErrors: [], transportErrors: [], unnamedRefusals: [], live: live.map(() => 200) });
      // The run reached past authentication into the validators, not just the guards.
      expect(statuses.get(400) ?? 0).toBeGreaterThan(sent / 10);
    },
    Math.max(900_000, TOTAL * 20),
  );

  it('covers every rule of the access table (a new route is fuzzed without a change here)', () => {
    const fuzzed = new Set(SERVICE_NAMES.flatMap((s) => rulesOf(s).map((r) => r.route)));
    expect(ACCESS_RULES.map((r) => r.route).filter((r) => !fuzzed.has(r))).toEqual([]);
  });
});

describe('namesWhatItRefuses', () => {
  it.each([
    ['{"issues":[{"path":["params","price"],"message":"Expected number"}]}', true],
    ['{"errors":[{"pointer":"/action","detail":"required"}]}', true],
    ['{"code":"invalid_cursor","message":"cursor: not a cursor this endpoint issued"}', true],
    ['{"message":"id must be a UUID"}', true],
    ['{"message":"request body is not valid JSON"}', true],
    ['{"message":"Validation failed (uuid is expected)"}', false],
    ['{"message":"Bad Request"}', false],
    ['{"message":"the path after /api/<service> must be an API path on that service: /v1/…"}', true],
    ['{"issues":[]}', false],
    ['{}', false],
    ['Bad Request', false],
  ])('%s → %s', (text, expected) => {
    expect(namesWhatItRefuses(text)).toBe(expected);
  });
});
