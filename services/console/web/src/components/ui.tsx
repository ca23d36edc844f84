import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { formatRelative, formatTimestamp } from '../lib/format';
import { SLA_LABEL, type SlaState } from '../lib/escalations';
import { sparklinePaths, verdictMix, type VerdictCounts } from '../lib/verdicts';

/* ---------- feedback: one error banner and one notice line for the whole app ---------- */

export interface Feedback {
  error: (e: unknown) => void;
  notice: (text: string) => void;
  clear: () => void;
}

export const FeedbackContext = createContext<Feedback>({
  error: () => undefined,
  notice: () => undefined,
  clear: () => undefined,
});

export function useFeedback(): Feedback {
  return useContext(FeedbackContext);
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/* ---------- data hooks ---------- */

export interface Loaded<T> {
  /** The last good data for the current deps (undefined while the first load for them runs). */
  data: T | undefined;
  /** The last load's error; with `data`, that data is stale. */
  error: ApiError | Error | undefined;
  loading: boolean;
  /** When `data` was loaded (ms since the epoch). */
  updatedAt: number | undefined;
  reload: () => void;
}

interface LoadState<T> {
  /** The deps the data and error below belong to. */
  deps: unknown[];
  data?: T;
  error?: ApiError | Error;
  updatedAt?: number;
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/**
 * Loads with `load` when `deps` change and, with `intervalMs`, again on that period (skipping a
 * tick while this run's load is in flight and while the tab is hidden). Keeps the last good data
 * on error (see `StaleNote`), but never shows data loaded for other deps. Stops polling after a
 * 403: a role that cannot read it will not gain access by asking again.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], intervalMs?: number): Loaded<T> {
  const [state, setState] = useState<LoadState<T>>({ deps });
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let alive = true;
    // Per run: a reload or a deps change starts a new run whose first load is never skipped.
    let inFlight = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    const runDeps = deps;
    const run = async () => {
      if (inFlight) return;
      inFlight = true;
      try {
        const value = await loadRef.current();
        if (alive) setState({ deps: runDeps, data: value, updatedAt: Date.now() });
      } catch (e) {
        if (!alive) return;
        setState((s) =>
          sameDeps(s.deps, runDeps) ? { ...s, error: e as Error } : { deps: runDeps, error: e as Error },
        );
        if (e instanceof ApiError && e.status === 403 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      } finally {
        inFlight = false;
        if (alive) setLoading(false);
      }
    };
    setLoading(true);
    if (intervalMs)
      timer = setInterval(() => {
        if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void run();
      }, intervalMs);
    void run();
    return () => {
      alive = false;
      if (timer !== undefined) clearInterval(timer);
    };
  }, [...deps, tick, intervalMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  // Data and error loaded for other deps (the previous task, the other list) are not shown.
  const current = sameDeps(state.deps, deps);
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: loading || !current,
    updatedAt: current ? state.updatedAt : undefined,
    reload,
  };
}

/** Re-renders every `ms` so relative times ("3 min ago") stay true. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/* ---------- layout ---------- */

export function PageHeader(props: {
  title: string;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="subtitle">{props.subtitle}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

export function Section(props: {
  title: ComponentChildren;
  id?: string;
  testid?: string;
  actions?: ComponentChildren;
  class?: string;
  children: ComponentChildren;
}) {
  const headingId =
    props.id ??
    `s-${String(props.title)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class={`card ${props.class ?? ''}`} aria-labelledby={headingId} data-testid={props.testid}>
      <div class="card-head">
        <h2 id={headingId}>{props.title}</h2>
        {props.actions && <div class="card-actions">{props.actions}</div>}
      </div>
      <div class="card-body">{props.children}</div>
    </section>
  );
}

/** What a section shows instead of its data: "No access" for 403, the error line otherwise. */
export function SectionProblem(props: { error: unknown; what?: string }) {
  const e = props.error;
  if (e instanceof ApiError && e.status === 403)
    return (
      <p class="muted no-access" data-testid="no-access">
        No access{props.what ? ` to ${props.what}` : ''} for your roles.
      </p>
    );
  return (
    <p class="muted problem" role="status">
      Unavailable: {messageOf(e)}
    </p>
  );
}

/** With data on screen and the latest refresh failed: how old the data is and why it is not newer. */
export function StaleNote(props: { loaded: Pick<Loaded<unknown>, 'data' | 'error' | 'updatedAt'> }) {
  const { data, error, updatedAt } = props.loaded;
  if (!error || data === undefined) return null;
  return (
    <p class="muted small stale" role="status" data-testid="stale">
      Stale — last updated {updatedAt ? <Time iso={new Date(updatedAt).toISOString()} absolute /> : 'earlier'}
      : {messageOf(error)}
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function Loading() {
  return (
    <p class="muted" aria-busy="true">
      Loading…
    </p>
  );
}

/* ---------- small pieces ---------- */

export function Time(props: { iso: string | null | undefined; now?: number; absolute?: boolean }) {
  if (!props.iso) return <span class="muted">—</span>;
  const full = formatTimestamp(props.iso);
  return (
    <time dateTime={props.iso} title={full}>
      {props.absolute ? full : formatRelative(props.iso, props.now)}
    </time>
  );
}

export function Badge(props: { tone?: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${props.tone ? `badge-${props.tone}` : ''}`} title={props.title}>
      {props.children}
    </span>
  );
}

export function VerdictBadge(props: { verdict: string | null | undefined }) {
  if (!props.verdict) return <span class="muted">—</span>;
  return <Badge tone={`v-${props.verdict}`}>{props.verdict}</Badge>;
}

export function SlaBadge(props: { state: SlaState }) {
  return <Badge tone={`sla-${props.state}`}>{SLA_LABEL[props.state]}</Badge>;
}

export function ModeBadge(props: { mode: string }) {
  return <Badge tone={props.mode === 'shadow' ? 'shadow' : 'enforce'}>{props.mode}</Badge>;
}

export function Sparkline(props: { values: number[]; width?: number; height?: number; label: string }) {
  const width = props.width ?? 240;
  const height = props.height ?? 48;
  const { line, area, max } = sparklinePaths(props.values, width, height, 2);
  return (
    <svg
      class="sparkline"
      width="100%"
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${props.label}; peak ${max} per second`}
      data-testid="sparkline"
    >
      <title>{`${props.label}; peak ${max}/s`}</title>
      {area && <path d={area} class="spark-area" />}
      {line && <path d={line} class="spark-line" vector-effect="non-scaling-stroke" />}
    </svg>
  );
}

/** The allow / modify / escalate / deny split as one stacked bar with a legend. */
export function VerdictBar(props: { verdicts: Partial<VerdictCounts>; compact?: boolean }) {
  const { total, shares } = verdictMix(props.verdicts);
  const label = shares.map((s) => `${s.verdict} ${s.percent}%`).join(', ');
  return (
    <div
      class={`verdict-mix ${props.compact ? 'compact' : ''}`}
      data-testid={props.compact ? undefined : 'verdict-mix'}
    >
      <div class="verdict-bar" role="img" aria-label={total ? `Verdict mix: ${label}` : 'No decisions yet'}>
        {total === 0 && <span class="seg seg-empty" style={{ width: '100%' }} />}
        {shares
          .filter((s) => s.count > 0)
          .map((s) => (
            <span
              key={s.verdict}
              class={`seg seg-${s.verdict}`}
              style={{ width: `${(s.count * 100) / total}%` }}
              title={`${s.verdict}: ${s.count} (${s.percent}%)`}
            />
          ))}
      </div>
      {!props.compact && (
        <ul class="legend">
          {shares.map((s) => (
            <li key={s.verdict} data-verdict={s.verdict}>
              <span class={`dot seg-${s.verdict}`} aria-hidden="true" />
              <span class="legend-name">{s.verdict}</span>
              <span class="legend-pct">{s.percent}%</span>
              <span class="legend-count muted">{s.count}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/* ---------- dialog ---------- */

let dialogSeq = 0;

/**
 * A modal dialog: labelled by its title, focus moves into it and returns on close, Escape and the
 * backdrop cancel, Tab stays inside.
 */
export function Modal(props: {
  title: string;
  testid?: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  attrs?: Record<string, string | number>;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [id] = useState(() => `dlg-${++dialogSeq}`);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('[autofocus], input, textarea, select, button');
    (first ?? el)?.focus();
    return () => previous?.focus?.();
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      props.onClose();
    }
    if (e.key === 'Tab' && ref.current) {
      const items = [
        ...ref.current.querySelectorAll<HTMLElement>(
          'button, input, textarea, select, a[href], [tabindex="0"]',
        ),
      ].filter((x) => !x.hasAttribute('disabled'));
      if (!items.length) return;
      const [first, last] = [items[0], items[items.length - 1]];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };
  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        ref={ref}
        class={`dialog ${props.wide ? 'wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        tabIndex={-1}
        data-testid={props.testid}
        onKeyDown={onKeyDown}
        {...(props.attrs ?? {})}
      >
        <h2 id={`${id}-title`} class="dialog-title">
          {props.title}
        </h2>
        {props.children}
      </div>
    </div>
  );
}

/** `key: value` rows for an object (params, labels); nested values as compact JSON. */
export function KeyValueTable(props: {
  value: Record<string, unknown> | undefined | null;
  caption?: string;
}) {
  const entries = Object.entries(props.value ?? {});
  if (!entries.length) return <p class="muted">None.</p>;
  return (
    <table class="kv">
      {props.caption && <caption class="sr-only">{props.caption}</caption>}
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
