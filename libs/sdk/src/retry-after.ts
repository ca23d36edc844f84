/** Retry-After in seconds or as an HTTP date (RFC 9110 § 10.2.3), in ms, capped at a minute. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 60_000) : undefined;
}
