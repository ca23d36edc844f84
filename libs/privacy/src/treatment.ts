import { PiiKind, replacePii } from './detectors';

/** A clear value found in a payload, replaced there by its pseudonym. */
export interface FoundPii {
  kind: PiiKind;
  value: string;
  pseudonym: string;
  /** JSON path of the field it was found in, e.g. `$.target.id`. */
  path: string;
}

export interface TreatedPayload {
  payload: unknown;
  found: FoundPii[];
  /** The data subject the payload is about, when it names a customer (its pseudonym). */
  customerSubject?: string;
}

const FIELD_KINDS: [RegExp, PiiKind][] = [
  [/^(customer_?id|customer_?ref|customer)$/i, 'customer'],
  [/^(e_?mail|email_?address|customer_?email)$/i, 'email'],
  [/^(phone|phone_?number|mobile|telephone|tel)$/i, 'phone'],
  [/^(card_?number|pan|credit_?card)$/i, 'card'],
  [/^(iban|bank_?account)$/i, 'iban'],
  [/^(address|postal_?address|street|street_?address|shipping_?address|billing_?address)$/i, 'address'],
];

const kindByField = new Map<string, PiiKind | null>();

/** Which kind of personal value a field holds by its name alone, memoised (field names repeat). */
export function kindOfField(name: string): PiiKind | undefined {
  let kind = kindByField.get(name);
  if (kind === undefined) {
    kind = FIELD_KINDS.find(([re]) => re.test(name))?.[1] ?? null;
    if (kindByField.size < 10_000) kindByField.set(name, kind);
  }
  return kind ?? undefined;
}

/**
 * Walks a JSON payload and replaces personal data by keyed pseudonyms: whole fields whose name says
 * what they hold (customerId, email, phone…, and `target.id` when `target.type` is `customer`), and
 * spans the detectors find inside any other string. Pure: the caller supplies the pseudonym function
 * and decides what to do with the clear values it gets back (encrypt them per subject).
 */
export function treatPayload(
  payload: unknown,
  pseudonym: (kind: PiiKind, value: string) => string,
): TreatedPayload {
  const found: FoundPii[] = [];
  const token = (kind: PiiKind, value: string, path: string) => {
    const p = pseudonym(kind, value);
    found.push({ kind, value, pseudonym: p, path });
    return p;
  };
  const walk = (value: unknown, path: string, fieldKind?: PiiKind): unknown => {
    if (typeof value === 'string') {
      if (fieldKind) return value === '' ? value : token(fieldKind, value, path);
      return replacePii(value, (m) => `[${token(m.kind, m.value, path)}]`).text;
    }
    if (typeof value === 'number' && fieldKind) return token(fieldKind, String(value), path);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`, fieldKind));
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      const customerTarget = obj['type'] === 'customer';
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        const kind = (customerTarget && k === 'id' ? 'customer' : undefined) ?? kindOfField(k);
        out[k] = walk(v, `${path}.${k}`, kind ?? fieldKind);
      }
      return out;
    }
    return value;
  };
  const treated = walk(payload, '$');
  return { payload: treated, found, customerSubject: found.find((f) => f.kind === 'customer')?.pseudonym };
}
