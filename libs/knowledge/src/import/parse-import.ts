import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DUPLICATE_SKU, KnowledgeDocument, KnowledgeDocumentInput } from '../knowledge-base';
import { parseCsv } from './csv';

export type ImportFormat = 'json' | 'yaml' | 'csv';

/**
 * One thing wrong with an import, named so a person can fix it: the section, the row (1-based: the
 * array position for JSON/YAML, the line for CSV), the product's SKU when known, and the field.
 */
export interface ImportProblem {
  section: string;
  row?: number;
  sku?: string;
  field: string;
  message: string;
}

export type ImportResult =
  { ok: true; document: KnowledgeDocument } | { ok: false; problems: ImportProblem[] };

export interface ImportOptions {
  /** For CSV (products only): the rest of the document, usually the current version's. */
  base?: KnowledgeDocument;
  /** For CSV: when the rows were read (the service's receive time). */
  asOf?: string;
  /** Refuse larger inputs before parsing. */
  maxBytes?: number;
}

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export function formatProblem(p: ImportProblem): string {
  const where = [
    p.section,
    p.row !== undefined ? `row ${p.row}` : undefined,
    p.sku ? `(sku ${p.sku})` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return `${where}, field ${p.field}: ${p.message}`;
}

/** Zod issues → problems; `rowOf` maps an array index of a section to the row the user wrote. */
function problemsOf(
  error: z.ZodError,
  raw: unknown,
  rowOf: (section: string, index: number) => number = (_s, i) => i + 1,
): ImportProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    const [section = '(document)', second, ...rest] = path;
    const index = second !== undefined && /^\d+$/.test(second) ? Number(second) : undefined;
    const field =
      (index !== undefined ? rest : [second, ...rest]).filter((x) => x !== undefined).join('.') || '(row)';
    const rows = (raw as Record<string, unknown> | undefined)?.[section];
    const item =
      index !== undefined && Array.isArray(rows)
        ? (rows[index] as Record<string, unknown> | undefined)
        : undefined;
    const sku = typeof item?.sku === 'string' ? item.sku : undefined;
    return {
      section,
      ...(index !== undefined ? { row: rowOf(section, index) } : {}),
      ...(sku ? { sku } : {}),
      field: index === undefined && section !== '(document)' && !second ? section : field,
      message: issue.message,
    };
  });
}

/** Duplicate SKUs, found on the raw rows so they are reported even when other rows fail too. */
function duplicates(raw: unknown, rowOf: (section: string, index: number) => number): ImportProblem[] {
  const rows = (raw as { products?: unknown })?.products;
  if (!Array.isArray(rows)) return [];
  const seen = new Map<string, number>();
  const out: ImportProblem[] = [];
  rows.forEach((r, i) => {
    const sku = (r as { sku?: unknown })?.sku;
    if (typeof sku !== 'string' || sku === '') return;
    const first = seen.get(sku);
    if (first === undefined) seen.set(sku, i);
    else
      out.push({
        section: 'products',
        row: rowOf('products', i),
        sku,
        field: 'sku',
        message: `${DUPLICATE_SKU} (first at row ${rowOf('products', first)})`,
      });
  });
  return out;
}

function validate(
  raw: unknown,
  rowOf: (section: string, index: number) => number = (_s, i) => i + 1,
): ImportResult {
  const parsed = KnowledgeDocument.safeParse(raw);
  if (parsed.success) return { ok: true, document: parsed.data };
  const problems = problemsOf(parsed.error, raw, rowOf).filter((p) => !p.message.startsWith(DUPLICATE_SKU));
  return { ok: false, problems: [...problems, ...duplicates(raw, rowOf)] };
}

/**
 * Parses and validates an import. Nothing partial: any problem and the whole import is refused,
 * with every problem listed (the service answers 400 with them and applies nothing).
 */
export function parseKnowledgeImport(
  content: string,
  format: ImportFormat,
  options: ImportOptions = {},
): ImportResult {
  const max = options.maxBytes ?? MAX_IMPORT_BYTES;
  if (content.length > max)
    return {
      ok: false,
      problems: [
        { section: '(document)', field: '(document)', message: `over the ${max}-byte import limit` },
      ],
    };
  if (format === 'json') {
    let raw: unknown;
    try {
      raw = JSON.parse(content);
    } catch (e) {
      return {
        ok: false,
        problems: [
          { section: '(document)', field: '(document)', message: `not JSON: ${(e as Error).message}` },
        ],
      };
    }
    return validate(raw);
  }
  if (format === 'yaml') {
    const doc = parseDocument(content);
    if (doc.errors.length > 0)
      return {
        ok: false,
        problems: doc.errors.map((e) => ({
          section: '(document)',
          row: e.linePos?.[0]?.line,
          field: '(document)',
          message: `not YAML: ${e.message.split('\n')[0]}`,
        })),
      };
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 100 }); // alias bombs ("billion laughs") stop here
    } catch (e) {
      return {
        ok: false,
        problems: [
          { section: '(document)', field: '(document)', message: `not YAML: ${(e as Error).message}` },
        ],
      };
    }
    return validate(raw);
  }
  return parseProductCsv(content, options);
}

/** Columns of a product CSV; lists inside a cell are separated by `|`, materials by `;`. */
export const PRODUCT_CSV_COLUMNS = [
  'sku',
  'name',
  'aliases',
  'brand',
  'category',
  'price',
  'currency',
  'compareAtPrice',
  'otherPrices',
  'stock',
  'materials',
  'originCountry',
  'originCity',
  'colours',
  'care',
  'dimensionsCm',
  'limitedEdition',
  'priceAsOf',
  'stockAsOf',
] as const;
type Column = (typeof PRODUCT_CSV_COLUMNS)[number];

const list = (v: string) =>
  v
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);

/** "90% cashmere; 10% silk", "18k rose gold; diamond". */
function materials(cell: string): unknown[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const words = part.split(/\s+/);
      const out: Record<string, unknown> = {};
      const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(words[0] + (words[1] === '%' ? '%' : ''));
      if (pct) {
        out.percent = Number(pct[1]);
        words.splice(0, words[1] === '%' ? 2 : 1);
      }
      const k = /^(\d{1,2})k$/i.exec(words[0] ?? '');
      if (k) {
        out.karat = Number(k[1]);
        words.shift();
      }
      if (words.length > 1 && ['yellow', 'white', 'rose'].includes(words[0].toLowerCase()))
        out.tint = words.shift()!.toLowerCase();
      out.material = words.join(' ').toLowerCase();
      return out;
    });
}

function number(cell: string): number | string {
  const n = Number(cell);
  return cell.trim() !== '' && Number.isFinite(n) ? n : cell; // a non-number stays a string so validation names it
}

function parseProductCsv(content: string, options: ImportOptions): ImportResult {
  const csv = parseCsv(content);
  if (!csv.ok)
    return {
      ok: false,
      problems: [{ section: 'products', row: csv.line, field: '(row)', message: csv.message }],
    };
  const [header, ...rows] = csv.records;
  if (!header)
    return {
      ok: false,
      problems: [{ section: 'products', row: 1, field: '(header)', message: 'empty file' }],
    };
  const names = header.cells.map((c) => c.trim());
  const problems: ImportProblem[] = [];
  names.forEach((n) => {
    if (!(PRODUCT_CSV_COLUMNS as readonly string[]).includes(n))
      problems.push({
        section: 'products',
        row: header.line,
        field: n || '(empty)',
        message: `unknown column; columns are ${PRODUCT_CSV_COLUMNS.join(', ')}`,
      });
  });
  for (const required of ['sku', 'name', 'price', 'currency'] as const)
    if (!names.includes(required))
      problems.push({
        section: 'products',
        row: header.line,
        field: required,
        message: 'required column missing',
      });
  if (problems.length) return { ok: false, problems };
  if (!options.asOf && !options.base)
    return {
      ok: false,
      problems: [
        { section: '(document)', field: 'asOf', message: 'a CSV import needs the time its rows were read' },
      ],
    };
  const products = rows.map((r) => {
    const v = (c: Column) => {
      const i = names.indexOf(c);
      return i >= 0 ? (r.cells[i] ?? '').trim() : '';
    };
    if (r.cells.length !== names.length)
      problems.push({
        section: 'products',
        row: r.line,
        sku: v('sku') || undefined,
        field: '(row)',
        message: `${r.cells.length} cells for ${names.length} columns`,
      });
    const p: Record<string, unknown> = {
      sku: v('sku'),
      name: v('name'),
      price: { amount: number(v('price')), currency: v('currency') },
    };
    if (v('aliases')) p.aliases = list(v('aliases'));
    if (v('brand')) p.brand = v('brand');
    if (v('category')) p.category = v('category');
    if (v('compareAtPrice')) p.compareAtPrice = number(v('compareAtPrice'));
    if (v('otherPrices'))
      p.otherPrices = list(v('otherPrices')).map((m) => {
        const [currency, amount] = m.split(/\s+/);
        return { currency, amount: number(amount ?? '') };
      });
    if (v('stock')) p.stock = number(v('stock'));
    if (v('materials')) p.materials = materials(v('materials'));
    if (v('originCountry'))
      p.origin = { country: v('originCountry'), ...(v('originCity') ? { city: v('originCity') } : {}) };
    if (v('colours')) p.colours = list(v('colours'));
    if (v('care')) p.care = list(v('care'));
    if (v('dimensionsCm')) {
      const [width, height, depth] = v('dimensionsCm')
        .split(/x/i)
        .map((d) => number(d.trim()));
      p.dimensionsCm = { width, height, ...(depth !== undefined ? { depth } : {}) };
    }
    if (v('limitedEdition')) p.limitedEdition = { total: number(v('limitedEdition')) };
    if (v('priceAsOf') || v('stockAsOf'))
      p.asOf = {
        ...(v('priceAsOf') ? { price: v('priceAsOf') } : {}),
        ...(v('stockAsOf') ? { stock: v('stockAsOf') } : {}),
      };
    return p;
  });
  if (problems.length) return { ok: false, problems };
  const base: Partial<KnowledgeDocumentInput> = options.base ?? {};
  const raw = { ...base, asOf: options.asOf ?? base.asOf, products };
  // A CSV row number is the line it starts on, not its array index.
  return validate(raw, (section, index) =>
    section === 'products' ? (rows[index]?.line ?? index + 2) : index + 1,
  );
}
