import { z } from 'zod';
import { MATERIALS } from './text/lexicon';

/**
 * A tenant's approved knowledge as an import carries it: product facts, approved marketing copy,
 * service policies, approved claims and brand-voice rules. The service stamps each accepted import
 * with a `kbVersion`; every verdict cites that number, so a decision can always be traced back to
 * the facts it was checked against.
 */

export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY'] as const;
export const Currency = z.enum(CURRENCIES);
export type Currency = z.infer<typeof Currency>;

/** Data classes with their own freshness limit: a fact older than its limit is STALE. */
export const DATA_CLASSES = ['price', 'stock', 'product', 'policy', 'copy'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/** Stock moves every minute, prices every quarter hour; the rest has no limit unless set. */
export const DEFAULT_FRESHNESS_SECONDS: Readonly<Partial<Record<DataClass, number>>> = {
  stock: 60,
  price: 900,
};

const Instant = z.iso.datetime({ offset: true });
const Money = z.object({ amount: z.number().nonnegative(), currency: Currency }).strict();
export type Money = z.infer<typeof Money>;

/** Canonical material names the checker recognises (`cashmere`, `calfskin`, `gold`, …). */
export const KNOWN_MATERIALS: ReadonlySet<string> = new Set(Object.values(MATERIALS).map((m) => m.name));

export const MaterialPart = z
  .object({
    material: z
      .string()
      .min(1)
      .max(40)
      .refine((m) => KNOWN_MATERIALS.has(m), { message: 'not a known material (see KNOWN_MATERIALS)' }),
    percent: z.number().gt(0).max(100).optional(),
    /** Purity of gold (9–24 k). */
    karat: z.number().int().min(8).max(24).optional(),
    /** `yellow`, `white`, `rose` for gold; any colour word otherwise. */
    tint: z.string().min(1).max(20).optional(),
  })
  .strict();
export type MaterialPart = z.infer<typeof MaterialPart>;

export const ProductFact = z
  .object({
    sku: z.string().min(1).max(64),
    name: z.string().min(1).max(120),
    /** Other names customers and agents use; matched like the name. */
    aliases: z.array(z.string().min(2).max(120)).max(20).default([]),
    brand: z.string().max(80).optional(),
    category: z.string().max(40).optional(),
    price: Money,
    /** The regular price before a markdown, in the price's currency; absent = not marked down. */
    compareAtPrice: z.number().positive().optional(),
    /** Approved prices in other currencies. */
    otherPrices: z.array(Money).max(10).default([]),
    stock: z.number().int().nonnegative().optional(),
    materials: z.array(MaterialPart).max(12).optional(),
    origin: z
      .object({
        country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code such as IT'),
        city: z.string().max(60).optional(),
      })
      .strict()
      .optional(),
    dimensionsCm: z
      .object({
        width: z.number().positive(),
        height: z.number().positive(),
        depth: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    colours: z.array(z.string().min(1).max(40)).max(30).optional(),
    care: z.array(z.string().min(1).max(200)).max(20).optional(),
    limitedEdition: z.object({ total: z.number().int().positive() }).strict().optional(),
    /** When the volatile facts were last read from their system; the import's `asOf` otherwise. */
    asOf: z.object({ price: Instant.optional(), stock: Instant.optional() }).strict().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.compareAtPrice !== undefined && p.compareAtPrice < p.price.amount)
      ctx.addIssue({ code: 'custom', path: ['compareAtPrice'], message: 'below the current price' });
    const total = (p.materials ?? []).reduce((s, m) => s + (m.percent ?? 0), 0);
    if (total > 100.0001)
      ctx.addIssue({
        code: 'custom',
        path: ['materials'],
        message: `percentages add up to ${total}, over 100`,
      });
  });
export type ProductFact = z.infer<typeof ProductFact>;

export const DeliveryPromise = z
  .object({
    /** A region code of the tenant (`EU`, `UK`, `US`, …) or `*` for everywhere else. */
    region: z.string().min(1).max(20),
    tier: z.string().min(1).max(30),
    minDays: z.number().int().nonnegative(),
    maxDays: z.number().int().nonnegative(),
    /** Days count Monday to Friday only (the usual carrier promise). */
    businessDays: z.boolean().default(true),
    free: z.boolean().default(false),
  })
  .strict()
  .refine((d) => d.minDays <= d.maxDays, { path: ['maxDays'], message: 'below minDays' });
export type DeliveryPromise = z.infer<typeof DeliveryPromise>;

export const ServicePolicies = z
  .object({
    returns: z.object({ windowDays: z.number().int().nonnegative(), free: z.boolean() }).strict().optional(),
    delivery: z.array(DeliveryPromise).max(200).default([]),
    /** `months: null` is a lifetime warranty. */
    warranty: z.object({ months: z.number().int().positive().nullable() }).strict().optional(),
    priceMatch: z.object({ enabled: z.boolean() }).strict().optional(),
  })
  .strict();
export type ServicePolicies = z.infer<typeof ServicePolicies>;

export const ApprovedCopy = z
  .object({
    id: z.string().min(1).max(80),
    /** The product or campaign it was approved for; neither means any message of the tenant. */
    sku: z.string().max(64).optional(),
    campaign: z.string().max(80).optional(),
    /** `{name}`-style slots match a few words of anything ("Dear {name}, …"). */
    text: z.string().min(1).max(4000),
    validFrom: Instant.optional(),
    validTo: Instant.optional(),
  })
  .strict();
export type ApprovedCopy = z.infer<typeof ApprovedCopy>;

/** A statement legal approved as such ("comes with a lifetime repair service"). */
export const ApprovedClaim = z
  .object({ id: z.string().min(1).max(80), text: z.string().min(3).max(500) })
  .strict();
export type ApprovedClaim = z.infer<typeof ApprovedClaim>;

export const BrandVoice = z
  .object({
    bannedWords: z
      .array(
        z
          .object({
            term: z.string().min(2).max(80),
            action: z.enum(['deny', 'redact']).default('deny'),
            replacement: z.string().max(80).optional(),
            reason: z.string().max(200).optional(),
          })
          .strict(),
      )
      .max(2000)
      .default([]),
    requiredTerms: z
      .array(
        z
          .object({
            term: z.string().min(2).max(200),
            /** Only for messages of these channels / campaigns; none = every message. */
            channels: z.array(z.string()).optional(),
            campaigns: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .max(200)
      .default([]),
  })
  .strict();
export type BrandVoice = z.infer<typeof BrandVoice>;

export const DUPLICATE_SKU = 'duplicate SKU';

export const KnowledgeDocument = z
  .object({
    /** When the facts were read from their systems (the base of freshness). */
    asOf: Instant,
    products: z.array(ProductFact).max(200_000).default([]),
    policies: ServicePolicies.default({ delivery: [] }),
    copy: z.array(ApprovedCopy).max(20_000).default([]),
    approvedClaims: z.array(ApprovedClaim).max(5_000).default([]),
    voice: BrandVoice.default({ bannedWords: [], requiredTerms: [] }),
    /** Seconds per data class; overrides `DEFAULT_FRESHNESS_SECONDS`. */
    freshness: z.partialRecord(z.enum(DATA_CLASSES), z.number().int().positive()).default({}),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Map<string, number>();
    doc.products.forEach((p, i) => {
      const first = seen.get(p.sku);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['products', i, 'sku'],
          message: `${DUPLICATE_SKU} (first at row ${first + 1})`,
        });
      else seen.set(p.sku, i);
    });
  });
export type KnowledgeDocument = z.infer<typeof KnowledgeDocument>;
export type KnowledgeDocumentInput = z.input<typeof KnowledgeDocument>;

/** An accepted import: the document the checker reads, stamped by the service. */
export interface KnowledgeVersion {
  tenantId: string;
  kbVersion: number;
  document: KnowledgeDocument;
}
