import type { AgentRole, DataAccessReport } from '@agentops/contracts';
import type { AgentRef } from '@agentops/access-anomaly';
import { SeededRandom } from '@agentops/rollout-analysis';

/**
 * Seeded simulated data-access streams for one business day of a retail tenant: every agent
 * proposes intents on a diurnal curve (with a 5× sales peak for service and shopping at noon),
 * reads before each intent, and service agents send messages to listed destinations. Injected on
 * top: sweeps, 1.5× slow leaks and toxic flows (a PII read, then an egress to an unlisted host).
 */

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const TENANT = 'maison';
export const LISTED = ['mail.maison.example', '*.crm.maison.example'];
const UNLISTED = ['paste.example', 'drop.example', 'files.unknown.example'];

export type Injection = 'sweep' | 'leak' | 'toxic';

export type SimEvent =
  | { t: number; agent: number; kind: 'read'; report: DataAccessReport; injected?: Injection }
  | { t: number; agent: number; kind: 'intent'; action: string }
  | {
      t: number;
      agent: number;
      kind: 'egress';
      destination: string;
      dataClasses: string[];
      records: number;
      injected?: Injection;
    }
  | { t: number; agent: -1; kind: 'tick' };

export interface SimAgent {
  ref: AgentRef;
  /** Intents per minute at full business load. */
  rate: number;
  /** This agent's own scale of records per read (agents differ). */
  scale: number;
  /** Joined on the measured day: no history of its own. */
  fresh: boolean;
}

export interface InjectionPlan {
  agent: number;
  kind: Injection;
  start: number;
  end: number;
}

export interface SimDay {
  agents: SimAgent[];
  events: SimEvent[];
  injections: InjectionPlan[];
}

const ROLES: [AgentRole, number, number][] = [
  // role, agents, intents/min at full load
  ['service', 20, 2],
  ['shopping', 15, 3],
  ['pricing', 10, 1],
  ['replenishment', 5, 0.5],
];

/** Share of full load by hour of day (UTC): night, morning ramp, business day, evening. */
export function diurnal(t: number): number {
  const h = (t % DAY) / HOUR;
  if (h < 7) return 0.04;
  if (h < 9) return 0.04 + ((h - 7) / 2) * 0.96;
  if (h < 18) return 1;
  if (h < 22) return 1 - ((h - 18) / 4) * 0.9;
  return 0.1;
}

/** The legitimate 5× sales peak: service and shopping, 12:00–13:00. */
export function peak(role: AgentRole, t: number): number {
  const h = (t % DAY) / HOUR;
  return (role === 'service' || role === 'shopping') && h >= 12 && h < 13 ? 5 : 1;
}

export function buildAgents(rng: SeededRandom, freshCount: number): SimAgent[] {
  const agents: SimAgent[] = [];
  for (const [role, n, rate] of ROLES) {
    for (let i = 0; i < n; i++) {
      // two versions per role: a new version is its own cohort (role, version)
      const version = i % 4 === 3 ? '2.0.0' : '1.4.0';
      agents.push({
        ref: { id: `${role}-${i}`, tenantId: TENANT, role, version },
        rate: rate * Math.exp(0.3 * rng.normal()),
        scale: Math.exp(0.3 * rng.normal()),
        fresh: false,
      });
    }
  }
  // the last agents of service and shopping joined today
  const candidates = agents.filter((a) => a.ref.role === 'service' || a.ref.role === 'shopping').reverse();
  for (let i = 0; i < freshCount && i < candidates.length; i++) {
    candidates[i].fresh = true;
    candidates[i].ref = { ...candidates[i].ref, id: `${candidates[i].ref.id}-new` };
  }
  return agents;
}

function poisson(rng: SeededRandom, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > l);
  return k - 1;
}

const CUSTOMERS = 200_000;
export const customer = (i: number) => `customer_${i.toString(16).padStart(32, '0')}`;

/** The reads one intent needs, by role (records drawn around the agent's own scale). */
function readsFor(rng: SeededRandom, a: SimAgent, t: number, extraCustomerRead: boolean): SimEvent[] {
  const out: SimEvent[] = [];
  const at = (k: number) => t - 1000 * (k + 1 + Math.floor(rng.next() * 5));
  const n = (mean: number) => Math.max(1, poisson(rng, mean * a.scale));
  const read = (k: number, report: DataAccessReport, injected?: Injection): SimEvent => ({
    t: at(k),
    agent: -2,
    kind: 'read',
    report,
    injected,
  });
  switch (a.ref.role) {
    case 'service': {
      const c = customer(Math.floor(rng.next() * CUSTOMERS));
      const pii = rng.next() < 0.3;
      out.push(
        read(2, {
          kind: 'read',
          source: 'crm.customers',
          dataClasses: pii ? ['customer.pii'] : ['customer'],
          records: 1,
          subjectIds: [c],
        }),
      );
      out.push(
        read(1, {
          kind: 'read',
          source: 'oms.orders',
          dataClasses: ['order'],
          records: n(3),
          subjectIds: [c],
        }),
      );
      break;
    }
    case 'shopping': {
      const c = customer(Math.floor(rng.next() * CUSTOMERS));
      out.push(
        read(2, {
          kind: 'read',
          source: 'crm.purchases',
          dataClasses: ['purchase_history'],
          records: n(5),
          subjectIds: [c],
        }),
      );
      out.push(
        read(1, {
          kind: 'read',
          source: 'catalog.products',
          dataClasses: ['product'],
          records: n(8),
          subjectIds: [],
        }),
      );
      break;
    }
    case 'pricing':
      out.push(
        read(2, {
          kind: 'read',
          source: 'competitor-feed',
          dataClasses: ['market'],
          records: n(20),
          subjectIds: [],
        }),
      );
      out.push(
        read(1, {
          kind: 'read',
          source: 'catalog.products',
          dataClasses: ['product'],
          records: 1,
          subjectIds: [],
        }),
      );
      break;
    default:
      out.push(
        read(2, {
          kind: 'read',
          source: 'wms.stock',
          dataClasses: ['inventory'],
          records: n(40),
          subjectIds: [],
        }),
      );
      out.push(
        read(1, {
          kind: 'read',
          source: 'forecast.weekly',
          dataClasses: ['forecast'],
          records: 1,
          subjectIds: [],
        }),
      );
  }
  if (extraCustomerRead) {
    // the leak: one more customer's records, as an ordinary read looks
    const c = customer(Math.floor(rng.next() * CUSTOMERS));
    const cls = a.ref.role === 'service' ? 'order' : 'purchase_history';
    const source = a.ref.role === 'service' ? 'oms.orders' : 'crm.purchases';
    out.push(
      read(
        3,
        {
          kind: 'read',
          source,
          dataClasses: [cls],
          records: n(a.ref.role === 'service' ? 4 : 5),
          subjectIds: [c],
        },
        'leak',
      ),
    );
  }
  return out;
}

export interface DayOptions {
  day: number;
  sweeps: number;
  leaks: number;
  toxic: number;
  /** Only the ordinary traffic (the warm-up day). */
  clean: boolean;
}

/** One simulated day (`day` · 24 h after the epoch) for `agents`, with the injections of `o`. */
export function simulateDay(
  rng: SeededRandom,
  agents: SimAgent[],
  o: DayOptions,
  include: (a: SimAgent) => boolean,
): SimDay {
  const start = o.day * DAY;
  const injections: InjectionPlan[] = [];
  if (!o.clean) {
    const targets = agents
      .map((a, i) => ({ a, i }))
      .filter(({ a }) => a.ref.role === 'service' || a.ref.role === 'shopping');
    shuffle(rng, targets);
    const business = () => start + 9 * HOUR + Math.floor(rng.next() * 8 * HOUR);
    let k = 0;
    for (let s = 0; s < o.sweeps; s++, k++) {
      const t = business();
      injections.push({ agent: targets[k].i, kind: 'sweep', start: t, end: t + 30 * MIN });
    }
    for (let s = 0; s < o.leaks; s++, k++) {
      const t = start + 9 * HOUR + Math.floor(rng.next() * 5 * HOUR);
      injections.push({ agent: targets[k].i, kind: 'leak', start: t, end: start + DAY });
    }
    const service = targets.slice(k).filter(({ a }) => a.ref.role === 'service');
    for (let s = 0; s < o.toxic; s++) {
      const t = business();
      injections.push({ agent: service[s % service.length].i, kind: 'toxic', start: t, end: t + 20 * MIN });
    }
  }
  const events: SimEvent[] = [];
  agents.forEach((a, idx) => {
    if (!include(a)) return;
    const leak = injections.find((j) => j.agent === idx && j.kind === 'leak');
    for (let m = 0; m < 24 * 60; m++) {
      const t0 = start + m * MIN;
      const count = poisson(rng, a.rate * diurnal(t0) * peak(a.ref.role, t0));
      for (let i = 0; i < count; i++) {
        const t = t0 + Math.floor(rng.next() * MIN);
        const leaking = leak !== undefined && t >= leak.start && rng.next() < 0.5;
        for (const r of readsFor(rng, a, t, leaking)) events.push({ ...r, agent: idx } as SimEvent);
        const action =
          a.ref.role === 'service'
            ? 'service.send_message'
            : a.ref.role === 'shopping'
              ? 'shopping.recommend'
              : a.ref.role === 'pricing'
                ? 'pricing.set_price'
                : 'inventory.create_purchase_order';
        events.push({ t, agent: idx, kind: 'intent', action });
        if (a.ref.role === 'service' && rng.next() < 0.5)
          events.push({
            t: t + 2000,
            agent: idx,
            kind: 'egress',
            destination: rng.next() < 0.8 ? 'mail.maison.example' : 'eu.crm.maison.example',
            dataClasses: ['customer'],
            records: 1,
          });
      }
    }
  });
  for (const j of injections) {
    if (j.kind === 'sweep') {
      // reads of 20–80 customers every 1–4 s for 30 minutes, beside the agent's ordinary work
      for (let t = j.start; t < j.end; t += 1000 + Math.floor(rng.next() * 3000)) {
        const n = 20 + Math.floor(rng.next() * 61);
        const first = Math.floor(rng.next() * (CUSTOMERS - n));
        events.push({
          t,
          agent: j.agent,
          kind: 'read',
          report: {
            kind: 'read',
            source: 'crm.customers',
            dataClasses: [rng.next() < 0.5 ? 'customer.pii' : 'customer'],
            records: n,
            subjectIds: Array.from({ length: n }, (_, i) => customer(first + i)),
          },
          injected: 'sweep',
        });
      }
    } else if (j.kind === 'toxic') {
      const c = customer(Math.floor(rng.next() * CUSTOMERS));
      events.push({
        t: j.start,
        agent: j.agent,
        kind: 'read',
        report: {
          kind: 'read',
          source: 'crm.customers',
          dataClasses: ['customer.pii'],
          records: 1 + Math.floor(rng.next() * 3),
          subjectIds: [c],
        },
        injected: 'toxic',
      });
      const delay = MIN + Math.floor(rng.next() * 19 * MIN);
      events.push({
        t: j.start + delay,
        agent: j.agent,
        kind: 'egress',
        destination: UNLISTED[Math.floor(rng.next() * UNLISTED.length)],
        dataClasses: rng.next() < 0.5 ? ['customer.pii'] : [],
        records: 1,
        injected: 'toxic',
      });
    }
  }
  for (let t = start + MIN; t <= start + DAY; t += MIN) events.push({ t, agent: -1, kind: 'tick' });
  events.sort((x, y) => x.t - y.t);
  return { agents, events, injections };
}

function shuffle<T>(rng: SeededRandom, xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}
