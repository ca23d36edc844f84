import type { CatalogEntry } from '@agentops/policy';
import { Random } from './random';

/** A catalog row as the guardrail's context import takes it (no tenant: the import names it). */
export type SimSku = Required<Omit<CatalogEntry, 'tenantId'>>;

export interface SimCustomer {
  id: string;
  name: string;
  email: string;
}

const BRANDS = ['Maison Demo', 'Atelier Temps', 'Maison Demo Home'];
const CATEGORIES: { name: string; prefix: string; price: [number, number] }[] = [
  { name: 'bags', prefix: 'BAG', price: [900, 6500] },
  { name: 'watches', prefix: 'WAT', price: [2500, 24000] },
  { name: 'accessories', prefix: 'ACC', price: [90, 900] },
  { name: 'shoes', prefix: 'SHO', price: [350, 1400] },
  { name: 'ready-to-wear', prefix: 'RTW', price: [250, 4200] },
  { name: 'jewellery', prefix: 'JEW', price: [400, 18000] },
];
const FIRST = ['Ana', 'Louis', 'Mei', 'Sofia', 'Jonas', 'Amara', 'Theo', 'Ines', 'Kenji', 'Lena'];
const LAST = ['Martin', 'Rossi', 'Dubois', 'Tanaka', 'Nguyen', 'Schmidt', 'Moreau', 'Silva'];

/** A synthetic luxury catalog: floors, costs, flagships, stock and 30-day sales velocity. */
export function generateCatalog(seed: number, size = 2400): SimSku[] {
  const rnd = new Random(seed);
  return Array.from({ length: size }, (_, i) => {
    const cat = CATEGORIES[i % CATEGORIES.length];
    const price = Math.round(rnd.int(cat.price[0], cat.price[1]) / 10) * 10;
    const flagship = rnd.chance(0.06);
    const slowMover = !flagship && rnd.chance(0.12);
    const velocity30d = slowMover ? rnd.int(0, 3) : rnd.int(5, 120);
    return {
      sku: `MD-${cat.prefix}-${String(i).padStart(5, '0')}`,
      price,
      floorPrice: Math.round(price * (flagship ? 0.9 : 0.7)),
      cost: Math.round((price * rnd.int(25, 45)) / 100),
      flagship,
      brand: rnd.pick(BRANDS),
      category: cat.name,
      stock: rnd.chance(0.05) ? 0 : rnd.int(1, 400),
      velocity30d,
      slowMover,
    };
  });
}

export function generateCustomers(seed: number, size = 500): SimCustomer[] {
  const rnd = new Random(seed + 1);
  return Array.from({ length: size }, (_, i) => {
    const first = rnd.pick(FIRST);
    const last = rnd.pick(LAST);
    return {
      id: `cust-${String(i).padStart(5, '0')}`,
      name: `${first} ${last}`,
      email: `${first}.${last}.${i}@example.com`.toLowerCase(),
    };
  });
}
