import { createServer, Server } from 'node:http';
import { hostname } from 'node:os';
import { DEVELOPMENT_EGRESS, PRODUCTION_EGRESS } from './egress-policy';
import { EgressRefused, Resolver, postGuarded, systemResolver } from './guarded-post';

/** Real sockets on this machine: what the guarded POST connects to, and what it refuses to. */
describe('guarded POST to user-written URLs', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url} host=${req.headers.host}`);
      req.resume();
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/landed` });
        res.end();
        return;
      }
      res.writeHead(req.url === '/landed' ? 200 : 204);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => hits.splice(0));

  const post = (url: string, policy = DEVELOPMENT_EGRESS, resolver?: Resolver) =>
    postGuarded(
      url,
      '{"ok":true}',
      { 'content-type': 'application/json' },
      { policy, timeoutMs: 3000, resolver },
    );

  it('development mode: posts to loopback over http and answers the status', async () => {
    expect(await post(`http://127.0.0.1:${port}/cb`)).toBe(204);
    expect(await post(`http://localhost:${port}/cb`)).toBe(204);
    expect(hits).toEqual([`POST /cb host=127.0.0.1:${port}`, `POST /cb host=localhost:${port}`]);
  });

  it('does not follow a redirect: a 3xx is a refusal and the Location is never called', async () => {
    await expect(post(`http://127.0.0.1:${port}/redirect`)).rejects.toThrow(
      new EgressRefused('answered 302: redirects are not followed'),
    );
    expect(hits).toEqual([`POST /redirect host=127.0.0.1:${port}`]);
  });

  it('outside development mode refuses loopback before any connection: literal, localhost., and a name DNS resolves inside', async () => {
    await expect(post(`http://127.0.0.1:${port}/cb`, PRODUCTION_EGRESS)).rejects.toThrow(/must use https/);
    await expect(post(`https://localhost.:${port}/cb`, PRODUCTION_EGRESS)).rejects.toThrow(/loopback/);
    await expect(post(`https://[::ffff:127.0.0.1]:${port}/cb`, PRODUCTION_EGRESS)).rejects.toThrow(
      /IPv4-mapped/,
    );
    // The machine's own name: the system resolver (getaddrinfo, /etc/hosts) answers an inside address.
    const own = await systemResolver(hostname());
    expect(own.length).toBeGreaterThan(0);
    await expect(post(`https://${hostname()}:${port}/cb`, PRODUCTION_EGRESS)).rejects.toThrow(
      new RegExp(`${hostname().toLowerCase()} resolves to ${own[0].address.replace(/[.]/g, '\\.')}`),
    );
    expect(hits).toEqual([]);
  });

  it('refuses a host if any of its addresses is inside (a resolver answering both does not get to choose)', async () => {
    const mixed: Resolver = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    await expect(post('https://hooks.example.test/cb', PRODUCTION_EGRESS, mixed)).rejects.toThrow(
      /resolves to 10\.0\.0\.7, a private address/,
    );
  });

  it('connects to the address it checked: the host is resolved once, and the socket never resolves it again', async () => {
    let lookups = 0;
    let connected = 0;
    server.on('connection', () => connected++);
    // hooks.example.test exists in no DNS: only the vetted answer (loopback, development mode) leads anywhere.
    const once: Resolver = async () => (lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : []);
    const error = (await post(`https://hooks.example.test:${port}/cb`, DEVELOPMENT_EGRESS, once).catch(
      (e: NodeJS.ErrnoException) => e,
    )) as NodeJS.ErrnoException;
    // The server speaks plain http, so TLS fails — after connecting to 127.0.0.1, not on a lookup.
    expect(error.code).toMatch(/^(EPROTO|ERR_SSL_|ECONNRESET)/);
    expect(lookups).toBe(1);
    expect(connected).toBe(1);
  });
});
