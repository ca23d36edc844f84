import fc from 'fast-check';
import { Agent, request } from 'node:http';

/**
 * Fuzzed HTTP requests for every route the platform serves (issue #19 item 3): bodies, headers,
 * query strings and path ids drawn by fast-check, sent over a raw `node:http` socket so that
 * nothing between the generator and the service cleans them up (fetch would re-encode a path and
 * refuse some headers).
 */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** `oversized`: that many bytes of JSON, made when sent (a run must not hold thousands of them). */
  body?: { contentType?: string; text: string; oversized?: number };
}

export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The service closed the connection while an oversized body was still being sent (a refusal). */
  closedOnOversizedBody?: boolean;
}

const OVERSIZED = 1_000_000;

/** The fields the platform's bodies and queries use, so generated objects reach the validators. */
const FIELD_NAMES = [
  'action',
  'target',
  'type',
  'id',
  'params',
  'sku',
  'price',
  'currency',
  'confidence',
  'justification',
  'dataUsed',
  'tenantId',
  'agentId',
  'intentId',
  'selector',
  'reason',
  'files',
  'path',
  'content',
  'roles',
  'groups',
  'password',
  'username',
  'name',
  'role',
  'version',
  'region',
  'scopes',
  'decision',
  'verdict',
  'comment',
  'outcome',
  'status',
  'limit',
  'cursor',
  'kind',
  'spec',
  'metadata',
  'apiVersion',
  'expiresAt',
  'ttlSeconds',
  'callbackUrl',
  'labels',
  'rows',
  'force',
  '__proto__',
  'constructor',
  'prototype',
];
const QUERY_NAMES = [
  'limit',
  'cursor',
  'tenantId',
  'agentId',
  'intentId',
  'status',
  'since',
  'until',
  'from',
  'to',
  'type',
  'wait',
  'timeoutMs',
  'q',
  'subject',
  'chain',
  '__proto__',
];

const nasty = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '..',
  '../../etc/passwd',
  '%00',
  '\u0000',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '*',
  '**',
  'a'.repeat(5000),
  '😀'.repeat(50),
  '\ud800',
  '2026-13-45T99:99:99Z',
);
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), nasty);
const fieldName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 1, arbitrary: text },
);

const jsonLeaf = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.1, 1e21),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** A body: mostly JSON objects of the platform's field names, sometimes anything but that. */
const body = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(fieldName, jsonValue, { maxKeys: 8 }).map((v) => ({ text: JSON.stringify(v) })),
  },
  { weight: 2, arbitrary: jsonValue.map((v) => ({ text: JSON.stringify(v) ?? 'null' })) },
  { weight: 1, arbitrary: text.map((t) => ({ text: t })) },
  {
    weight: 1,
    arbitrary: fc.record({
      contentType: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json; charset=nope',
        'application/yaml',
        'application/xml',
        '',
      ),
      text: fc.oneof(text, fc.constant('a=1&b[c]=2&__proto__[x]=1'), fc.constant('{"a":')),
    }),
  },
  // Oversized: past every body limit, so the refusal is a 413, never a slow parse.
  {
    weight: 1,
    arbitrary: fc.constantFrom(2_200_000, 11_000_000).map((n) => ({ text: `{"a":"${'x'.repeat(n)}"}` })),
  },
);

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 3, arbitrary: text.map((t) => encodeURIComponent(toWellFormed(t))) },
  { weight: 1, arbitrary: fc.constantFrom('%zz', '%', '%E0%A4%A', '%2e%2e', '..', '.', '%2F', 'a%00b') },
);

const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...QUERY_NAMES),
        fc.constantFrom(...QUERY_NAMES).map((q) => `${q}[]`),
        fc.constantFrom(...QUERY_NAMES).map((q) => `${q}[$ne]`),
        text,
      ),
      text,
    ),
    { maxLength: 5 },
  )
  .map((pairs) =>
    pairs.length
      ? `?${pairs.map(([k, v]) => `${encodeURIComponent(toWellFormed(k))}=${encodeURIComponent(toWellFormed(v))}`).join('&')}`
      : '',
  );

const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc.constantFrom('', 'null', 'Bearer', 'Bearer ', 'Basic YTpi', 'Bearer a.b.c', 'x'.repeat(9000)),
);

/** A caller's headers: the route's own credential most of the time, so the validators are reached. */
export function headersFor(credential: Record<string, string>): fc.Arbitrary<Record<string, string>> {
  return fc
    .record(
      {
        auth: fc.oneof(
          { weight: 5, arbitrary: fc.constant(credential) },
          { weight: 1, arbitrary: fc.constant({}) },
          {
            weight: 1,
            arbitrary: fc.record({ authorization: headerValue }),
          },
          { weight: 1, arbitrary: fc.record({ 'x-api-key': headerValue }) },
        ),
        extra: fc.dictionary(
          fc.constantFrom(
            'idempotency-key',
            'prefer',
            'traceparent',
            'tracestate',
            'x-forwarded-for',
            'cookie',
            'accept',
            'x-request-id',
            'if-none-match',
            'range',
          ),
          headerValue,
          { maxKeys: 3 },
        ),
      },
      { requiredKeys: ['auth', 'extra'] },
    )
    .map(({ auth, extra }) => ({ ...extra, ...auth }));
}

/** Requests for one route (`METHOD /a/:id/b`): every `:param` and `*path` filled by generated segments. */
export function requestsFor(route: string, credential: Record<string, string>): fc.Arbitrary<FuzzRequest> {
  const [method, template] = route.split(' ') as [string, string];
  const params = template.match(/:[A-Za-z]+|\*[A-Za-z]+/g) ?? [];
  const verbs =
    method === 'ALL' ? fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') : fc.constant(method);
  return fc
    .record({
      method: verbs,
      segments: fc.tuple(...params.map(() => segment)),
      query: queryString,
      headers: headersFor(credential),
      body,
    })
    .map(({ method: verb, segments, query, headers, body: b }) => {
      let i = 0;
      const path = template.replace(/:[A-Za-z]+|\*[A-Za-z]+/g, () => segments[i++] ?? 'x') + query;
      const sendsBody = !['GET', 'HEAD', 'DELETE'].includes(verb);
      return { method: verb, path, headers, body: sendsBody ? b : undefined };
    });
}

/** `s` with lone surrogates replaced, so encodeURIComponent accepts it (the raw ones go elsewhere). */
function toWellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** One buffer per oversized length, shared by every request that sends it. */
const oversizedBodies = new Map<number, Buffer>();
const oversizedBody = (bytes: number): Buffer => {
  if (!oversizedBodies.has(bytes)) oversizedBodies.set(bytes, Buffer.from(`{"a":"${'x'.repeat(bytes)}"}`));
  return oversizedBodies.get(bytes)!;
};

/**
 * One request; an event stream is cut after its head. Transport failures reject — except the one
 * Node documents for keep-alive clients: a request written on a pooled socket at the moment the
 * server closed it as idle (its 5 s keep-alive timeout) is reset before the server read it. That
 * request is sent once more on a new socket; a reset on a fresh socket still rejects.
 */
export function send(base: string, r: FuzzRequest, timeoutMs = 15_000): Promise<FuzzAnswer> {
  return sendOnce(base, r, timeoutMs).catch((error: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
    if (error.reusedSocket && error.code === 'ECONNRESET') return sendOnce(base, r, timeoutMs, false);
    throw error;
  });
}

function sendOnce(base: string, r: FuzzRequest, timeoutMs: number, pooled = true): Promise<FuzzAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...r.headers };
    const payload = r.body && (r.body.oversized ? oversizedBody(r.body.oversized) : Buffer.from(r.body.text));
    if (r.body && payload) {
      headers['content-type'] = r.body.contentType ?? 'application/json';
      headers['content-length'] = payload.length;
    }
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: r.path,
        headers,
        agent: pooled ? agent : false,
        timeout: timeoutMs,
      },
      (res) => {
        const contentType = String(res.headers['content-type'] ?? '');
        if (contentType.includes('text/event-stream')) {
          res.destroy();
          return resolve({ status: res.statusCode ?? 0, contentType, text: '' });
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
      const oversized = (payload?.length ?? 0) > OVERSIZED;
      if (oversized && (error.code === 'EPIPE' || error.code === 'ECONNRESET'))
        resolve({ status: 0, contentType: '', text: '', closedOnOversizedBody: true });
      else reject(Object.assign(error, { reusedSocket: req.reusedSocket }));
    });
    if (payload) req.write(payload);
    req.end();
  });
}

export function closeConnections(): void {
  agent.destroy();
}
