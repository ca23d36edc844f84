import { CatalogEntry } from '@agentops/policy';
import type { AgentRegistration } from '../../services/ingest/src/agents/agent-registry';

export const DEMO_TENANT = 'maison-demo';

/** A small luxury catalog for the walking skeleton's scenario. */
export const demoCatalog: CatalogEntry[] = [
  {
    tenantId: DEMO_TENANT,
    sku: 'MD-BAG-001',
    price: 2400,
    floorPrice: 1900,
    cost: 820,
    flagship: true,
    brand: 'Maison Demo',
    category: 'bags',
  },
  {
    tenantId: DEMO_TENANT,
    sku: 'MD-SCARF-014',
    price: 420,
    floorPrice: 300,
    cost: 95,
    flagship: false,
    brand: 'Maison Demo',
    category: 'accessories',
  },
  {
    tenantId: DEMO_TENANT,
    sku: 'MD-WATCH-007',
    price: 8900,
    floorPrice: 8000,
    cost: 3100,
    flagship: true,
    brand: 'Maison Demo',
    category: 'watches',
  },
  {
    tenantId: DEMO_TENANT,
    sku: 'MD-SHOE-122',
    price: 780,
    floorPrice: 560,
    cost: 210,
    flagship: false,
    brand: 'Maison Demo',
    category: 'shoes',
  },
];

export const demoAgents: AgentRegistration[] = [
  {
    id: 'pricing-agent-demo',
    tenantId: DEMO_TENANT,
    name: 'Demo dynamic pricing agent',
    role: 'pricing',
    version: '1.0.0',
    region: 'eu-west',
    labels: { brand: 'maison-demo' },
    ownerTeam: 'brand-pricing',
  },
  {
    id: 'shopper-agent-demo',
    tenantId: DEMO_TENANT,
    name: 'Demo personal shopper',
    role: 'shopping',
    version: '2.3.0',
    region: 'eu-west',
    labels: { brand: 'maison-demo', channel: 'web' },
    ownerTeam: 'clienteling',
  },
];
