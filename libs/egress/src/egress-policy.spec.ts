import { DEVELOPMENT_EGRESS, PRODUCTION_EGRESS, addressProblem, checkEgressUrl } from './egress-policy';

const reason = (url: string, policy = PRODUCTION_EGRESS) => {
  const check = checkEgressUrl(url, policy);
  return check.ok ? 'ok' : check.reason;
};

describe('egress policy: where user-written URLs may point', () => {
  it('accepts https to a public name or address', () => {
    expect(reason('https://hooks.example.com/T0/B1?x=1')).toBe('ok');
    expect(reason('https://93.184.215.14/callback')).toBe('ok');
    expect(reason('https://[2606:4700:4700::1111]/cb')).toBe('ok');
  });

  it('refuses plain http, other schemes and credentials in the URL', () => {
    expect(reason('http://hooks.example.com/x')).toMatch(/must use https/);
    expect(reason('ftp://hooks.example.com/x')).toMatch(/must use https, not ftp/);
    expect(reason('file:///etc/passwd')).toMatch(/must use https/);
    expect(reason('https://user:secret@hooks.example.com/')).toMatch(/credentials/);
    expect(reason('not a url')).toMatch(/not an absolute URL/);
  });

  it.each([
    ['https://127.0.0.1/', 'loopback'],
    ['https://127.1/', 'loopback'],
    ['https://2130706433/', 'loopback'],
    ['https://0x7f000001/', 'loopback'],
    ['https://0.0.0.0/', 'unspecified'],
    ['https://10.1.2.3/', 'private'],
    ['https://172.16.0.1/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://100.64.0.1/', 'carrier-grade NAT'],
    ['https://224.0.0.1/', 'multicast'],
    ['https://255.255.255.255/', 'broadcast'],
    ['https://[::1]/', 'loopback'],
    ['https://[::]/', 'unspecified'],
    ['https://[fe80::1]/', 'link-local'],
    ['https://[fd00::1]/', 'unique-local'],
    ['https://[ff02::1]/', 'multicast'],
    ['https://[::ffff:127.0.0.1]/', 'IPv4-mapped'],
    ['https://[::ffff:169.254.169.254]/', 'IPv4-mapped'],
    ['https://[::127.0.0.1]/', 'IPv4-compatible'],
    ['https://[64:ff9b::a00:1]/', 'NAT64'],
    ['https://[2002:a00:1::]/', '6to4'],
  ])('refuses %s (%s) in every mode', (url, what) => {
    expect(reason(url)).toContain(what);
    if (what !== 'loopback') expect(reason(url, DEVELOPMENT_EGRESS)).toContain(what);
  });

  it('refuses localhost names outside development mode, with or without the root dot', () => {
    expect(reason('https://localhost/')).toMatch(/loopback/);
    expect(reason('https://localhost./')).toMatch(/loopback/);
    expect(reason('https://LOCALHOST:8443/')).toMatch(/loopback/);
    expect(reason('https://agent.localhost/')).toMatch(/loopback/);
  });

  it('development mode: loopback allowed, plain http only to loopback', () => {
    expect(reason('http://127.0.0.1:4000/callback', DEVELOPMENT_EGRESS)).toBe('ok');
    expect(reason('http://localhost:4000/callback', DEVELOPMENT_EGRESS)).toBe('ok');
    expect(reason('http://[::1]:4000/callback', DEVELOPMENT_EGRESS)).toBe('ok');
    expect(reason('https://localhost/', DEVELOPMENT_EGRESS)).toBe('ok');
    expect(reason('http://hooks.example.com/', DEVELOPMENT_EGRESS)).toMatch(/must use https/);
    expect(reason('http://10.0.0.1/', DEVELOPMENT_EGRESS)).toMatch(/must use https/);
    expect(reason('http://127.0.0.1:4000/callback')).toMatch(/must use https/);
  });

  it('checks resolved addresses the same way', () => {
    expect(addressProblem('8.8.8.8', PRODUCTION_EGRESS)).toBeUndefined();
    expect(addressProblem('2a00:1450:4001:81b::200e', PRODUCTION_EGRESS)).toBeUndefined();
    expect(addressProblem('127.0.0.53', PRODUCTION_EGRESS)).toMatch(/loopback/);
    expect(addressProblem('127.0.0.53', DEVELOPMENT_EGRESS)).toBeUndefined();
    expect(addressProblem('fe80::1%eth0', DEVELOPMENT_EGRESS)).toMatch(/link-local/);
    expect(addressProblem('::ffff:10.0.0.1', DEVELOPMENT_EGRESS)).toMatch(/IPv4-mapped/);
    expect(addressProblem('nonsense', PRODUCTION_EGRESS)).toMatch(/not an IP address/);
  });
});
