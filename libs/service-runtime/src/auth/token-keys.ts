import { JSONWebKeySet, JWTVerifyGetKey, createLocalJWKSet, errors } from 'jose';
import { z } from 'zod';
import { Ed25519PublicJwk, PublicJwks } from './signing-keys';

/**
 * Where verifiers get the console's public keys: a pinned JWKS (`AUTH_JWKS`), or the console's
 * `/.well-known/jwks.json` (`AUTH_JWKS_URL`) fetched and cached. The fetched set is refreshed in
 * the background, at once when a token names a key id it does not hold (a rotation: the new key
 * is published before it signs), at most once per cool-down, and a failed fetch keeps the last
 * good set — a console restart does not take every other service's sign-ins down.
 */
export const PublicJwksSchema = z.object({
  keys: z
    .array(Ed25519PublicJwk.extend({ kid: z.string().min(1).max(128) }).passthrough())
    .min(1)
    .max(10),
});

/** Parses a JSON env value against a schema, naming the problem as config errors do. */
export const jsonValue = <S extends z.ZodTypeAny>(schema: S, what: string) =>
  z
    .string()
    .min(1)
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON: ${what}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

export interface RemoteJwksOptions {
  /** Fetches and parses the JWKS; throws on failure. */
  fetchJwks: () => Promise<PublicJwks>;
  /** How long a fetched set is used before it is refreshed. */
  refreshMs: number;
  /** The least time between two fetches triggered by an unknown key id. */
  cooldownMs: number;
  now?: () => number;
  onFetchError?: (error: unknown) => void;
}

export class RemoteJwks {
  private set?: { lookup: JWTVerifyGetKey; kids: Set<string>; fetchedAt: number };
  private inFlight?: Promise<void>;
  private lastAttempt = -Infinity;
  private readonly now: () => number;

  constructor(private readonly options: RemoteJwksOptions) {
    this.now = options.now ?? Date.now;
  }

  /** For jose's `jwtVerify`. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const now = this.now();
    const stale = !this.set || now - this.set.fetchedAt >= this.options.refreshMs;
    const unknownKid = header.kid !== undefined && this.set !== undefined && !this.set.kids.has(header.kid);
    // Before the first set arrives (the console still starting), retry every second, not per request.
    const gap = this.set ? this.options.cooldownMs : Math.min(this.options.cooldownMs, 1000);
    if ((stale || unknownKid) && now - this.lastAttempt >= gap) await this.refresh();
    if (!this.set) throw new errors.JWKSNoMatchingKey('the console’s signing keys could not be fetched');
    return this.set.lookup(header, token);
  };

  /** Known key ids, for health and tests. */
  get keyIds(): string[] {
    return [...(this.set?.kids ?? [])];
  }

  private refresh(): Promise<void> {
    this.inFlight ??= (async () => {
      this.lastAttempt = this.now();
      try {
        const jwks = await this.options.fetchJwks();
        this.set = {
          lookup: createLocalJWKSet(jwks as unknown as JSONWebKeySet),
          kids: new Set(jwks.keys.map((k) => k.kid)),
          fetchedAt: this.now(),
        };
      } catch (error) {
        // Keep the last good set; the next try waits for the cool-down, not the next request.
        this.options.onFetchError?.(error);
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

export function pinnedJwks(jwks: PublicJwks): JWTVerifyGetKey {
  return createLocalJWKSet(jwks as unknown as JSONWebKeySet);
}

/** Fetches a JWKS over HTTP(S), validated; no redirects, bounded time. */
export function httpJwksFetcher(url: string, timeoutMs = 5000): () => Promise<PublicJwks> {
  return async () => {
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    const parsed = PublicJwksSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error(`GET ${url}: not a JWKS of Ed25519 keys`);
    return parsed.data;
  };
}
