import { CompiledKnowledge } from './compile';
import { normalizeText } from './text/normalize';
import { tokenize } from './text/tokenize';

export interface VoiceFinding {
  term: string;
  /** Span in the original text. */
  start: number;
  end: number;
  text: string;
  action: 'deny' | 'redact';
  reason?: string;
}

export interface VoiceCheck {
  /** `deny` when a deny-listed word or a required term is missing, `redact` when only redactable words were found. */
  verdict: 'allow' | 'redact' | 'deny';
  banned: VoiceFinding[];
  missingRequired: string[];
  /** The text with every redactable finding replaced. */
  redacted: string;
  reasons: string[];
}

export interface VoiceContext {
  channel?: string;
  campaign?: string;
}

/**
 * Brand-voice rules: banned words (matched like product names — case, accents, spacing and
 * hyphens do not hide them, word boundaries keep "cheapest" from matching "cheap" only if listed)
 * and terms a channel or campaign must carry.
 */
export function checkVoice(kb: CompiledKnowledge, text: string, ctx: VoiceContext = {}): VoiceCheck {
  const voice = kb.version.document.voice;
  const nt = normalizeText(text);
  const tokens = tokenize(nt);
  const found = kb.voice.findIn(nt.text, tokens);
  const banned: VoiceFinding[] = [];
  const present = new Set<number>();
  for (const m of found)
    for (const ref of m.values) {
      if (ref.type === 'required') {
        present.add(ref.index);
        continue;
      }
      const rule = voice.bannedWords[ref.index];
      const start = nt.from[tokens[m.firstToken].start];
      const end = nt.to[tokens[m.lastToken].end - 1];
      banned.push({
        term: rule.term,
        start,
        end,
        text: text.slice(start, end),
        action: rule.action,
        ...(rule.reason ? { reason: rule.reason } : {}),
      });
    }
  const missingRequired = voice.requiredTerms
    .map((t, i) => ({ t, i }))
    .filter(({ t, i }) => {
      if (t.channels && !(ctx.channel && t.channels.includes(ctx.channel))) return false;
      if (t.campaigns && !(ctx.campaign && t.campaigns.includes(ctx.campaign))) return false;
      return !present.has(i);
    })
    .map(({ t }) => t.term);
  let redacted = '';
  let at = 0;
  for (const f of banned.filter((b) => b.action === 'redact').sort((a, b) => a.start - b.start)) {
    if (f.start < at) continue;
    const rule = voice.bannedWords.find((w) => w.term === f.term);
    redacted += text.slice(at, f.start) + (rule?.replacement ?? '[redacted]');
    at = f.end;
  }
  redacted += text.slice(at);
  const reasons = [
    ...banned.map(
      (b) =>
        `"${b.text}" is off-brand (${b.term}${b.reason ? `: ${b.reason}` : ''})${b.action === 'redact' ? ', redacted' : ''}`,
    ),
    ...missingRequired.map((t) => `required term "${t}" is missing`),
  ];
  const verdict =
    banned.some((b) => b.action === 'deny') || missingRequired.length > 0
      ? 'deny'
      : banned.length > 0
        ? 'redact'
        : 'allow';
  return { verdict, banned, missingRequired, redacted, reasons };
}
