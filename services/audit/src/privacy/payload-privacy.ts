import { FoundPii, deriveTenantKey, pseudonymise, seal, treatPayload } from '@agentops/privacy';
import { SealedValue } from '../records/record-content';

export interface PrivacyTreated {
  payload: unknown;
  sealed: Record<string, SealedValue>;
  subjects: string[];
}

/**
 * Privacy treatment before hashing: personal values become keyed pseudonyms (per tenant) in the
 * payload, and the clear values are kept only sealed under their data subject's key. The subject
 * is the customer the payload names, or else each value is its own subject. Erasing a subject
 * destroys its key: the sealed values become noise, the pseudonyms and every hash stay.
 */
export class PayloadPrivacy {
  private readonly tenantKeys = new Map<string, Buffer>();
  private readonly pseudonyms = new Map<string, string>();

  constructor(private readonly pseudonymSecret: string) {}

  tenantKey(tenantId: string): Buffer {
    let key = this.tenantKeys.get(tenantId);
    if (!key) {
      key = deriveTenantKey(this.pseudonymSecret, tenantId);
      this.tenantKeys.set(tenantId, key);
    }
    return key;
  }

  subjectRefFor(tenantId: string, kind: string, value: string): string {
    return pseudonymise(this.tenantKey(tenantId), kind, value);
  }

  /** Pass 1 (pure): pseudonymise, and say which subjects' keys pass 2 needs. */
  scan(
    tenantId: string,
    data: unknown,
  ): { payload: unknown; found: FoundPii[]; subjectOf: (f: FoundPii) => string } {
    const key = this.tenantKey(tenantId);
    const treated = treatPayload(data, (kind, value) => {
      // The same customers and addresses recur: remember recent pseudonyms (process memory only).
      const id = `${tenantId}\u0000${kind}\u0000${value}`;
      let p = this.pseudonyms.get(id);
      if (!p) {
        p = pseudonymise(key, kind, value);
        if (this.pseudonyms.size >= 50_000) this.pseudonyms.clear();
        this.pseudonyms.set(id, p);
      }
      return p;
    });
    const customer = treated.customerSubject;
    return { payload: treated.payload, found: treated.found, subjectOf: (f) => customer ?? f.pseudonym };
  }

  /**
   * Pass 2: seal the clear values, one AES-256-GCM box per subject per record holding
   * `{pseudonym: clear value}`, bound (AAD) to tenant, subject and event id.
   */
  static seal(
    tenantId: string,
    eventId: string,
    found: FoundPii[],
    subjectOf: (f: FoundPii, index: number) => string,
    keys: Map<string, Uint8Array | null>,
  ): Omit<PrivacyTreated, 'payload'> {
    const bySubject = new Map<string, Record<string, string>>();
    const subjects = new Set<string>();
    found.forEach((f, i) => {
      const subject = subjectOf(f, i);
      subjects.add(subject);
      subjects.add(f.pseudonym);
      const box = bySubject.get(subject) ?? {};
      box[f.pseudonym] = f.value;
      bySubject.set(subject, box);
    });
    const sealed: Record<string, SealedValue> = {};
    for (const [subject, box] of bySubject) {
      const key = keys.get(`${tenantId}\u0000${subject}`);
      sealed[subject] = {
        pseudonyms: Object.keys(box).sort(),
        value: key ? seal(key, JSON.stringify(box), sealAad(tenantId, subject, eventId)) : null,
      };
    }
    return { sealed, subjects: [...subjects].sort() };
  }
}

export function sealAad(tenantId: string, subject: string, eventId: string): string {
  return `${tenantId}/${subject}/${eventId}`;
}
