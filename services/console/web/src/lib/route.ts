/**
 * Hash routes: `#/overview`, `#/escalations/<id>`, `#/audit?agentId=px-1`, `#/audit/intent/<id>`,
 * `#/traces/intent/<id>`, `#/traces/<trace id>`.
 */

export const PAGES = [
  'overview',
  'killswitches',
  'escalations',
  'audit',
  'policies',
  'knowledge',
  'traces',
  'rollouts',
  'access',
] as const;
export type Page = (typeof PAGES)[number];

export interface Route {
  page: Page;
  /** The path after the page: `['<task id>']`, `['intent', '<intent id>']`, `['history']`. */
  rest: string[];
  query: Record<string, string>;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '').replace(/^\/+/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const pair of raw.slice(q + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const k = decode(eq >= 0 ? pair.slice(0, eq) : pair);
      if (k) query[k] = decode(eq >= 0 ? pair.slice(eq + 1) : '');
    }
  }
  const [head, ...rest] = path.split('/').filter(Boolean).map(decode);
  const page = (PAGES as readonly string[]).includes(head ?? '') ? (head as Page) : 'overview';
  return { page, rest: page === head ? rest : [], query };
}

export function routeHref(page: Page, rest: string[] = [], query: Record<string, string> = {}): string {
  const path = [page, ...rest].map(encodeURIComponent).join('/');
  const qs = Object.entries(query)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
