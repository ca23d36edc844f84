/** Formatting for the console: durations, relative times, rates. Pure (no DOM), unit-tested. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration in words an operator reads at a glance: `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return `${Math.floor(abs / SECOND)} s`;
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)} min`;
  if (abs < DAY) {
    const h = Math.floor(abs / HOUR);
    const m = Math.floor((abs % HOUR) / MINUTE);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** `just now`, `12 s ago`, `in 5 min`; `—` for a missing or unparseable time. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const diff = t - now;
  if (Math.abs(diff) < 5 * SECOND) return 'just now';
  return diff < 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(diff)}`;
}

/** Local date and time, seconds precision: `2026-11-24 14:03:05`. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Intents per second: one decimal below 100, none above. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '0';
  return perSecond >= 100 ? String(Math.round(perSecond)) : (Math.round(perSecond * 10) / 10).toFixed(1);
}

/** 12345 → `12,345`. */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `agentops.intent.decided.v1` → `intent decided`. */
export function shortEventType(type: string): string {
  return type
    .replace(/^agentops\./, '')
    .replace(/\.v\d+$/, '')
    .replace(/[._]/g, ' ');
}

/**
 * Eight characters of an id, enough to tell rows apart: the last eight, because the platform's
 * UUIDv7 ids share their leading (timestamp) characters.
 */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(-8) : '—';
}

/** `n thing` / `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
