import { LocalStack } from './local-stack';
import { TcpProxy } from './tcp-proxy';

/** One fault of the plan: break something, keep it broken for `holdMs`, then put it right. */
export interface Fault {
  /** Short id for `--faults` (e.g. `kill-ingest`, `postgres`). */
  id: string;
  /** As the results table names it. */
  name: string;
  inject(): Promise<void>;
  holdMs: number;
  heal(): Promise<void>;
}

export const PLATFORM_SERVICES = [
  'ingest',
  'guardrail',
  'escalation',
  'killswitch',
  'audit',
  'rollout',
  'access',
  'console',
];
/** Who gets an instance more for the rebalance: the two groups that do the most per intent. */
const REBALANCED = ['guardrail', 'audit'];

export interface FaultSettings {
  /** How long PostgreSQL, Redis, the broker node and the proxy faults stay on. */
  outageMs: number;
  latencyMs: number;
  /** How long the extra instances run before they are removed again. */
  rebalanceHoldMs: number;
}

/** Every fault, one at a time, in this order; a proxy's only when the services talk to Kafka through it. */
export function faultPlan(stack: LocalStack, proxy: TcpProxy | undefined, s: FaultSettings): Fault[] {
  const seconds = `${Math.round(s.outageMs / 1000)} s`;
  const faults: Fault[] = PLATFORM_SERVICES.map((service) => ({
    id: `kill-${service}`,
    name: `kill -9 ${service}`,
    inject: () => stack.killHard(service),
    holdMs: 0,
    heal: () => stack.startPlatform(),
  }));
  if (stack.settings.brokerCount === 3) {
    faults.push({
      id: 'broker',
      name: `kill -9 one of 3 brokers (node 2) for ${seconds}`,
      inject: async () => stack.killBrokerNode(2),
      holdMs: s.outageMs,
      heal: () => stack.kafka('up'),
    });
  } else {
    faults.push({
      id: 'broker',
      name: 'broker restart (kafka.sh down, up)',
      inject: () => stack.kafka('down'),
      holdMs: 0,
      heal: () => stack.kafka('up'),
    });
  }
  faults.push(
    {
      id: 'postgres',
      name: `PostgreSQL stopped ${seconds}`,
      inject: () => stack.postgres('stop'),
      holdMs: s.outageMs,
      heal: () => stack.postgres('start'),
    },
    {
      id: 'redis',
      name: `Redis stopped ${seconds}`,
      inject: () => stack.redisStop(),
      holdMs: s.outageMs,
      heal: () => stack.redisStart(),
    },
  );
  if (proxy) {
    faults.push(
      {
        id: 'latency',
        name: `Kafka +${s.latencyMs} ms latency each way, ${seconds}`,
        inject: async () => proxy.setFault({ kind: 'latency', ms: s.latencyMs }),
        holdMs: s.outageMs,
        heal: async () => proxy.setFault({ kind: 'none' }),
      },
      {
        id: 'partition',
        name: `services partitioned from Kafka ${seconds}`,
        inject: async () => proxy.setFault({ kind: 'partition' }),
        holdMs: s.outageMs,
        heal: async () => proxy.setFault({ kind: 'none' }),
      },
    );
  }
  faults.push({
    id: 'rebalance',
    name: `rebalance: ${REBALANCED.join(' and ')} +1 instance, removed after ${Math.round(s.rebalanceHoldMs / 1000)} s`,
    inject: () => stack.startPlatform(REBALANCED.map((svc) => `${svc}=2`).join(',')),
    holdMs: s.rebalanceHoldMs,
    heal: async () => {
      for (const svc of REBALANCED) await stack.stopInstance(`${svc}-2`);
    },
  });
  return faults;
}
