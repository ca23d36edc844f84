import { CompiledKnowledge } from './compile';
import { ApprovedCopy } from './knowledge-base';
import { normalizeText } from './text/normalize';
import { tokenize } from './text/tokenize';

export type CopyMatch =
  | { ok: true; copyId: string; kbVersion: number }
  | { ok: false; kbVersion: number; reason: string; nearest?: string };

export interface CopyContext {
  now: number;
  campaign?: string;
  sku?: string;
}

/** A slot (`{name}`) stands for one to this many words. */
const SLOT_MAX_WORDS = 8;

/** Words and numbers only: punctuation, case, accents and spacing never make copy "differ". */
function words(text: string): string[] {
  const nt = normalizeText(text);
  return tokenize(nt)
    .filter((t) => t.kind === 'word' || t.kind === 'number' || (t.kind === 'symbol' && t.text !== '&'))
    .map((t) => (t.kind === 'number' ? String(t.value) : t.text));
}

/** Template segments (word lists) between slots; `null` marks a slot. */
function template(copy: ApprovedCopy): (string[] | null)[] {
  const out: (string[] | null)[] = [];
  for (const [i, part] of copy.text.split(/(\{[^{}]{0,40}\})/).entries()) {
    if (i % 2 === 1) out.push(null);
    else if (part.trim()) out.push(words(part));
  }
  return out;
}

function startsAt(hay: readonly string[], at: number, needle: readonly string[]): boolean {
  if (at + needle.length > hay.length) return false;
  for (let k = 0; k < needle.length; k++) if (hay[at + k] !== needle[k]) return false;
  return true;
}

/** Whether the message is the template with its slots filled (each slot 1..SLOT_MAX_WORDS words). */
function fits(message: readonly string[], parts: readonly (string[] | null)[]): boolean {
  let at = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part === null) {
      const next = parts[p + 1];
      if (next === undefined || next === null)
        return message.length - at >= 1 && message.length - at <= SLOT_MAX_WORDS;
      let found = -1;
      for (let k = at + 1; k <= at + SLOT_MAX_WORDS && k < message.length; k++)
        if (startsAt(message, k, next)) {
          found = k;
          break;
        }
      if (found < 0) return false;
      at = found;
      continue;
    }
    if (!startsAt(message, at, part)) return false;
    at += part.length;
  }
  return at === message.length;
}

/**
 * A campaign message must be approved copy, word for word apart from its slots, approved for this
 * campaign (or product) and inside its validity window at `now`.
 */
export function matchApprovedCopy(kb: CompiledKnowledge, text: string, ctx: CopyContext): CopyMatch {
  const kbVersion = kb.version.kbVersion;
  const scoped = kb.version.document.copy.filter(
    (c) => (ctx.campaign ? c.campaign === ctx.campaign : true) && (!c.sku || !ctx.sku || c.sku === ctx.sku),
  );
  if (scoped.length === 0)
    return {
      ok: false,
      kbVersion,
      reason: ctx.campaign ? `no approved copy for campaign ${ctx.campaign}` : 'no approved copy',
    };
  const message = words(text);
  const matching = scoped.filter((c) => fits(message, template(c)));
  const live = (c: ApprovedCopy) =>
    !(c.validFrom && Date.parse(c.validFrom) > ctx.now) && !(c.validTo && Date.parse(c.validTo) < ctx.now);
  const hit = matching.find(live);
  if (hit) return { ok: true, copyId: hit.id, kbVersion };
  if (matching.length > 0) {
    const c = matching[0];
    const when =
      c.validTo && Date.parse(c.validTo) < ctx.now
        ? `expired at ${c.validTo}`
        : `is valid only from ${c.validFrom}`;
    return { ok: false, kbVersion, reason: `matches approved copy ${c.id}, which ${when}`, nearest: c.id };
  }
  return {
    ok: false,
    kbVersion,
    reason: `differs from every approved copy${ctx.campaign ? ` of campaign ${ctx.campaign}` : ''}`,
    nearest: scoped[0].id,
  };
}
