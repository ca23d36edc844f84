import { TokenUsage } from './genai-conventions';

/**
 * Token prices per model, versioned: a cost is always reported with the table version it was
 * computed from, and a table change is a new version (an edit would silently rewrite past costs).
 * USD per million tokens, list prices as published by the providers for the version's date; check
 * them against your contracts before billing anyone with them.
 */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Input tokens read from the prompt cache (default: `input`). */
  cachedInput?: number;
  /** Input tokens written to the cache (default: `input`). */
  cacheWrite?: number;
  output: number;
  /** Reasoning tokens, billed as output unless the provider says otherwise. */
  reasoning?: number;
}

export interface PriceTable {
  version: string;
  currency: 'USD';
  /** Model name → price; a name also matches its dated variants (`gpt-4o` ← `gpt-4o-2024-08-06`). */
  models: Record<string, ModelPrice>;
}

export const PRICE_TABLE_2026_12: PriceTable = {
  version: '2026-12-01',
  currency: 'USD',
  models: {
    'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
    'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
    'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
    'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
    o3: { input: 2, cachedInput: 0.5, output: 8 },
    'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
    'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
    'claude-sonnet-4': { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    'claude-opus-4': { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75 },
    'claude-3-5-haiku': { input: 0.8, cachedInput: 0.08, cacheWrite: 1, output: 4 },
    'gemini-2.5-pro': { input: 1.25, cachedInput: 0.31, output: 10 },
    'gemini-2.5-flash': { input: 0.3, cachedInput: 0.075, output: 2.5 },
  },
};

/** The table costs are computed with unless a caller names another. */
export const CURRENT_PRICE_TABLE = PRICE_TABLE_2026_12;

/**
 * The price of a model name as spans report it: exact, else the longest table name it starts with
 * followed by `-` or `@` (dated or pinned variants), provider prefixes (`openai/`, `models/`) removed.
 * Case-insensitive. Undefined when the table does not know it.
 */
export function priceOf(
  model: string | null | undefined,
  table: PriceTable = CURRENT_PRICE_TABLE,
): ModelPrice | undefined {
  if (!model) return undefined;
  const name = model.toLowerCase().replace(/^.*\//, '');
  if (table.models[name]) return table.models[name];
  let best: string | undefined;
  for (const known of Object.keys(table.models))
    if ((name.startsWith(`${known}-`) || name.startsWith(`${known}@`)) && known.length > (best?.length ?? 0))
      best = known;
  return best ? table.models[best] : undefined;
}

export type CostOf =
  | { status: 'priced'; usd: number; tableVersion: string }
  /** Tokens were used but the model is missing or not in the table: unknown, never $0. */
  | { status: 'unknown_model'; model: string | null; tableVersion: string }
  | { status: 'no_usage' };

/**
 * The cost of one call. Input tokens include the cached ones and output tokens the reasoning ones
 * (the OTel GenAI and OpenInference counts; `normalizeGenAiAttributes` maps the others onto them),
 * so each part is priced once: uncached input, cache reads, cache writes, plain output, reasoning.
 */
export function costOf(
  usage: TokenUsage,
  model: string | null | undefined,
  table: PriceTable = CURRENT_PRICE_TABLE,
): CostOf {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheCreationInputTokens ?? 0;
  const reasoning = usage.reasoningTokens ?? 0;
  if (input + output + cached + written + reasoning === 0) return { status: 'no_usage' };
  const price = priceOf(model, table);
  if (!price) return { status: 'unknown_model', model: model ?? null, tableVersion: table.version };
  const uncached = Math.max(0, input - cached - written);
  const plainOutput = Math.max(0, output - reasoning);
  const perToken =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    plainOutput * price.output +
    reasoning * (price.reasoning ?? price.output);
  return { status: 'priced', usd: perToken / 1_000_000, tableVersion: table.version };
}

/** Token sums of one group (agent, version, intent) for one model. */
export interface UsageRow extends Required<TokenUsage> {
  group: string;
  model: string | null;
  calls: number;
}

export interface GroupCost {
  group: string;
  /** The priced part; null when nothing in the group could be priced. */
  usd: number | null;
  /** True when every call with usage was priced (else `usd` is a lower bound). */
  complete: boolean;
  /** Models used but not priced (a missing model name is `null`). */
  unknownModels: (string | null)[];
  /** Calls whose model is unknown, with their tokens: shown as unknown, not as $0. */
  unpricedCalls: number;
  unpricedTokens: number;
  calls: number;
  tokens: Required<TokenUsage>;
  tableVersion: string;
}

/** Sums rows per group into costs, unknown models kept apart. Groups in the order they first appear. */
export function costByGroup(rows: UsageRow[], table: PriceTable = CURRENT_PRICE_TABLE): GroupCost[] {
  const groups = new Map<string, GroupCost>();
  for (const row of rows) {
    let g = groups.get(row.group);
    if (!g) {
      g = {
        group: row.group,
        usd: null,
        complete: true,
        unknownModels: [],
        unpricedCalls: 0,
        unpricedTokens: 0,
        calls: 0,
        tokens: {
          inputTokens: 0,
          outputTokens: 0,
          cachedInputTokens: 0,
          cacheCreationInputTokens: 0,
          reasoningTokens: 0,
        },
        tableVersion: table.version,
      };
      groups.set(row.group, g);
    }
    g.calls += row.calls;
    for (const k of Object.keys(g.tokens) as (keyof TokenUsage)[]) g.tokens[k] += row[k];
    const cost = costOf(row, row.model, table);
    if (cost.status === 'priced') g.usd = (g.usd ?? 0) + cost.usd;
    else if (cost.status === 'unknown_model') {
      g.complete = false;
      if (!g.unknownModels.includes(row.model)) g.unknownModels.push(row.model);
      g.unpricedCalls += row.calls;
      g.unpricedTokens += row.inputTokens + row.outputTokens;
    }
  }
  return [...groups.values()];
}
