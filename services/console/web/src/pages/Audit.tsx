import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, svc } from '../api';
import {
  Badge,
  Empty,
  Loading,
  PageHeader,
  Section,
  SectionProblem,
  StaleNote,
  Time,
  VerdictBadge,
  messageOf,
  useFeedback,
  useLoad,
  useNow,
} from '../components/ui';
import {
  EVENT_TYPES,
  type AuditSearchFields,
  type PassthroughFilter,
  type RecordsPage,
  VERDICT_VALUES,
  buildAuditQuery,
  collectPages,
  fieldsFromQuery,
  parseAuditSearch,
  stepTitle,
  storyOrder,
  toLocalInput,
} from '../lib/audit';
import { formatCount, formatTimestamp, shortEventType, shortId } from '../lib/format';
import { routeHref } from '../lib/route';
import type { AuditRecord, User, VerifyReport } from '../types';

const PAGE_SIZE = 100;

/** An intent's story reads up to this many pages of 1,000 records before offering "load more". */
const STORY_PAGES = 5;
const STORY_PAGE_SIZE = 1000;

export function AuditPage(props: { user: User; intentId?: string; query: Record<string, string> }) {
  // Ids are stored lowercase; a pasted uppercase id must find the same records.
  const intentId = props.intentId?.toLowerCase();
  return intentId ? <IntentStory key={intentId} id={intentId} /> : <Explorer query={props.query} />;
}

const FILTER_LABEL: Record<PassthroughFilter, string> = {
  decidedBy: 'decided by',
  actorKind: 'actor kind',
  subject: 'subject',
  tenantId: 'tenant',
};

type RecordsAnswer = RecordsPage<AuditRecord>;

function Explorer(props: { query: Record<string, string> }) {
  const feedback = useFeedback();
  const queryKey = JSON.stringify(props.query);
  const [fields, setFields] = useState<AuditSearchFields>(() => localFields(props.query));
  const [quick, setQuick] = useState('');
  const [records, setRecords] = useState<AuditRecord[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  // Each request's number: only the latest request's answer lands (a slow first search or a "load
  // more" for an earlier query must not replace or extend the current results).
  const seq = useRef(0);

  useEffect(() => setFields(localFields(props.query)), [queryKey]);

  const fetchPage = async (cursor?: string) => {
    const mine = ++seq.current;
    if (!cursor) {
      // A new search (or the same one again) starts from nothing: no old rows, no old error.
      setRecords(null);
      setNext(null);
      setError(null);
    }
    setMoreError(null);
    // The hash may be typed by hand (`type=intent.decided`): normalise and check it like the form.
    const built = buildAuditQuery(fieldsFromQuery(props.query));
    if (!built.ok) {
      setError(new Error(built.errors.map((x) => `${x.field}: ${x.message}`).join('; ')));
      setLoading(false);
      return;
    }
    setLoading(true);
    try {
      const page = await api.get<RecordsAnswer>(svc('audit', '/v1/audit/records'), {
        ...built.query,
        limit: PAGE_SIZE,
        cursor,
      });
      if (mine !== seq.current) return;
      setRecords((prev) => (cursor && prev ? [...prev, ...page.records] : page.records));
      setNext(page.next);
    } catch (e) {
      if (mine !== seq.current) return;
      if (cursor) setMoreError(e);
      else setError(e);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  };

  useEffect(() => {
    setRecords(null);
    void fetchPage();
  }, [queryKey]);

  const search = (f: AuditSearchFields) => {
    const built = buildAuditQuery(f);
    if (!built.ok) {
      feedback.error(built.errors.map((x) => `${x.field}: ${x.message}`).join('; '));
      return;
    }
    feedback.clear();
    const href = routeHref('audit', [], built.query);
    if (location.hash === href) void fetchPage();
    else location.hash = href;
  };

  const set = (k: Exclude<keyof AuditSearchFields, 'extra'>) => (e: Event) =>
    setFields((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));
  const extras = Object.entries(fields.extra) as [PassthroughFilter, string][];
  const dropExtra = (k: PassthroughFilter) => {
    const rest = { ...fields.extra };
    delete rest[k];
    const f = { ...fields, extra: rest };
    setFields(f);
    search(f);
  };

  return (
    <div class="page" data-testid="page-audit">
      <PageHeader
        title="Audit explorer"
        subtitle="Every event, hash-chained and append-only. Search, follow an intent, verify the chain."
      />
      <div class="grid-main-side">
        <Section title="Search" id="s-audit-search">
          <form
            class="quick-search"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              const { fields: parsed, unknown } = parseAuditSearch(quick);
              if (unknown.length) {
                feedback.error(
                  `Not understood: ${unknown.join(' ')} (try agent:<id> verdict:deny or an intent id)`,
                );
                return;
              }
              setFields(parsed);
              search(parsed);
            }}
          >
            <label for="audit-quick" class="sr-only">
              Quick search
            </label>
            <input
              id="audit-quick"
              type="search"
              value={quick}
              placeholder="Intent id, or agent:px-1 verdict:deny pricing.set_price"
              onInput={(e) => setQuick(e.currentTarget.value)}
            />
            <button type="submit" class="btn">
              Go
            </button>
          </form>
          {/* noValidate: times may carry milliseconds (off the inputs' step); the query is checked below. */}
          <form
            class="form"
            data-testid="audit-search"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              search(fields);
            }}
          >
            <div class="form-grid form-grid-4">
              <div class="field span-2">
                <label for="audit-correlation">Intent / correlation id</label>
                <input
                  id="audit-correlation"
                  name="correlationId"
                  value={fields.correlationId}
                  onInput={set('correlationId')}
                />
              </div>
              <div class="field">
                <label for="audit-agent">Agent id</label>
                <input id="audit-agent" name="agentId" value={fields.agentId} onInput={set('agentId')} />
              </div>
              <div class="field">
                <label for="audit-action">Action</label>
                <input id="audit-action" name="action" value={fields.action} onInput={set('action')} />
              </div>
              <div class="field">
                <label for="audit-verdict">Verdict</label>
                <select id="audit-verdict" name="verdict" value={fields.verdict} onChange={set('verdict')}>
                  <option value="">Any</option>
                  {VERDICT_VALUES.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="audit-type">Type</label>
                <select id="audit-type" name="type" value={fields.type} onChange={set('type')}>
                  <option value="">Any</option>
                  {Object.keys(EVENT_TYPES).map((t) => (
                    <option key={t} value={t}>
                      {t.replace(/[._]/g, ' ')}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="audit-from" title="When the audit log recorded the event">
                  Recorded from
                </label>
                <input
                  id="audit-from"
                  name="from"
                  type="datetime-local"
                  step={1}
                  value={fields.from}
                  onInput={set('from')}
                />
              </div>
              <div class="field">
                <label for="audit-to" title="When the audit log recorded the event (up to, not including)">
                  Recorded to
                </label>
                <input
                  id="audit-to"
                  name="to"
                  type="datetime-local"
                  step={1}
                  value={fields.to}
                  onInput={set('to')}
                />
              </div>
            </div>
            {extras.length > 0 && (
              <p class="small" data-testid="audit-extra-filters">
                Also filtered by:{' '}
                {extras.map(([k, v]) => (
                  <span key={k} class="role-chip">
                    {FILTER_LABEL[k]} <code>{v}</code>{' '}
                    <button
                      type="button"
                      class="btn-icon"
                      aria-label={`Remove the ${FILTER_LABEL[k]} filter`}
                      onClick={() => dropExtra(k)}
                    >
                      ×
                    </button>
                  </span>
                ))}
              </p>
            )}
            <div class="form-actions">
              <a class="btn btn-ghost" href={routeHref('audit')}>
                Clear
              </a>
              <button type="submit" class="btn btn-primary">
                Search
              </button>
            </div>
          </form>
        </Section>
        <ChainPanel />
      </div>

      <Section
        title="Records"
        id="s-audit-records"
        actions={<span class="muted small">oldest recorded first</span>}
      >
        {error ? (
          <SectionProblem error={error} what="the audit log" />
        ) : !records ? (
          <Loading />
        ) : records.length === 0 ? (
          <Empty>No record matches.</Empty>
        ) : (
          <>
            <RecordsTable records={records} />
            <div class="table-foot">
              <span class="muted small">{formatCount(records.length)} shown</span>
              {moreError !== null && (
                <span class="small problem" role="status">
                  Could not load more: {messageOf(moreError)}
                </span>
              )}
              {next && (
                <button
                  type="button"
                  class="btn btn-small"
                  disabled={loading}
                  onClick={() => void fetchPage(next)}
                >
                  {loading ? 'Loading…' : 'Load more'}
                </button>
              )}
            </div>
          </>
        )}
      </Section>
    </div>
  );
}

function localFields(query: Record<string, string>): AuditSearchFields {
  const f = fieldsFromQuery(query);
  return { ...f, from: f.from ? toLocalInput(f.from) : '', to: f.to ? toLocalInput(f.to) : '' };
}

function RecordsTable(props: { records: AuditRecord[] }) {
  return (
    <div class="table-wrap">
      <table class="table table-dense" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col" title="When the audit log recorded the event (what From / To filter on)">
              Recorded
            </th>
            <th scope="col">Type</th>
            <th scope="col">Actor</th>
            <th scope="col">Agent</th>
            <th scope="col">Action</th>
            <th scope="col">Verdict</th>
            <th scope="col">Intent / correlation</th>
          </tr>
        </thead>
        <tbody>
          {props.records.map((r) => (
            <tr
              key={r.eventId}
              data-testid="audit-row"
              data-event-id={r.eventId}
              data-correlation-id={r.correlationId ?? ''}
            >
              <td class="nowrap">
                <time dateTime={r.recordedAt} title={`event time ${formatTimestamp(r.eventTime)}`}>
                  {formatTimestamp(r.recordedAt)}
                </time>
              </td>
              <td class="nowrap">{shortEventType(r.type)}</td>
              <td class="cell-truncate" title={`${r.actorKind} ${r.actorId}`}>
                <span class="muted small">{r.actorKind}</span> <code class="actor">{r.actorId}</code>
              </td>
              <td class="nowrap">{r.agentId ? <code>{r.agentId}</code> : <span class="muted">—</span>}</td>
              <td>{r.action ?? <span class="muted">—</span>}</td>
              <td class="nowrap">
                <VerdictBadge verdict={r.verdict} />
                {r.decidedBy && <span class="muted small"> {r.decidedBy}</span>}
              </td>
              <td>
                {r.correlationId ? (
                  <a
                    href={routeHref('audit', ['intent', r.correlationId])}
                    data-testid="correlation-link"
                    title={r.correlationId}
                  >
                    <code>{shortId(r.correlationId)}</code>
                  </a>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChainPanel() {
  const stats = useLoad(() => api.get<{ records: number }>(svc('audit', '/v1/audit/stats')), []);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [checkedAt, setCheckedAt] = useState<string | null>(null);
  const now = useNow(5000);

  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await api.get<VerifyReport>(svc('audit', '/v1/audit/verify')));
      setCheckedAt(new Date().toISOString());
    } catch (e) {
      setError(e);
      setReport(null);
    } finally {
      setBusy(false);
    }
  };

  const failure = report?.firstFailure;
  const brokenChains = report ? report.chains.filter((c) => !c.ok).length : 0;
  return (
    <Section title="Chain integrity" id="s-chain">
      <p class="muted small">
        {stats.data
          ? `${formatCount(stats.data.records)} records in the log.`
          : stats.error
            ? ''
            : 'Counting records…'}
      </p>
      <div
        data-testid="chain-status"
        data-state={busy ? 'checking' : report ? (report.ok ? 'ok' : 'broken') : error ? 'error' : 'unknown'}
        aria-live="polite"
      >
        {busy ? (
          <p class="muted" aria-busy="true">
            Recomputing every hash…
          </p>
        ) : error ? (
          error instanceof ApiError && error.status === 403 ? (
            <p class="muted no-access">No access to chain verification for your roles.</p>
          ) : (
            <p class="problem">Verification failed to run: {messageOf(error)}</p>
          )
        ) : !report ? (
          <p class="muted">Not checked in this session.</p>
        ) : report.ok ? (
          <div class="chain-ok">
            <p class="chain-verdict">
              <span class="status-dot ok" aria-hidden="true" /> Chain intact
            </p>
            <p class="small">
              {formatCount(report.records)} records in {report.chains.length} chains verified in {report.ms}{' '}
              ms
              {checkedAt && (
                <>
                  {' '}
                  · <Time iso={checkedAt} now={now} />
                </>
              )}
            </p>
          </div>
        ) : (
          <div class="chain-broken">
            <p class="chain-verdict">
              <span class="status-dot broken" aria-hidden="true" /> Chain broken
            </p>
            <p class="small">
              {brokenChains} of {report.chains.length} chains broken · {formatCount(report.records)} records
              checked
            </p>
            {failure && (
              <dl class="facts" data-testid="first-broken">
                <dt>Chain</dt>
                <dd>
                  <code>{failure.chainId}</code>
                </dd>
                <dt>Sequence</dt>
                <dd>{failure.sequence}</dd>
                <dt>Reason</dt>
                <dd>{failure.reason.replace(/_/g, ' ')}</dd>
                <dt>Detail</dt>
                <dd>{failure.detail}</dd>
                {(failure.eventId ?? failure.recordId) && (
                  <>
                    <dt>Record</dt>
                    <dd>
                      <code>{failure.eventId ?? failure.recordId}</code>
                    </dd>
                  </>
                )}
              </dl>
            )}
          </div>
        )}
      </div>
      <button
        type="button"
        class="btn btn-primary"
        data-testid="verify-chain"
        disabled={busy}
        onClick={() => void verify()}
      >
        {busy ? 'Verifying…' : 'Verify now'}
      </button>
      {report && report.keyIds.length > 0 && (
        <p class="muted small">
          Checkpoint keys:{' '}
          {report.keyIds.map((k) => (
            <code key={k}>{k} </code>
          ))}
        </p>
      )}
    </Section>
  );
}

function IntentStory(props: { id: string }) {
  const fetchStoryPage = (cursor: string | undefined) =>
    api.get<RecordsAnswer>(svc('audit', '/v1/audit/records'), {
      correlationId: props.id,
      limit: STORY_PAGE_SIZE,
      cursor,
    });
  const story = useLoad(() => collectPages(fetchStoryPage, STORY_PAGES), [props.id]);
  // Pages read with "load more" after the first batch, and where to go on from.
  const [more, setMore] = useState<RecordsAnswer | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const loadedAt = story.updatedAt;
  useEffect(() => setMore(null), [loadedAt]);
  const nextCursor = more ? more.next : (story.data?.next ?? null);
  const loadMore = async () => {
    if (!nextCursor) return;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const page = await collectPages(fetchStoryPage, STORY_PAGES, nextCursor);
      setMore((m) => ({ records: [...(m?.records ?? []), ...page.records], next: page.next }));
    } catch (e) {
      setMoreError(e);
    } finally {
      setMoreBusy(false);
    }
  };
  const records = story.data ? storyOrder([...story.data.records, ...(more?.records ?? [])]) : [];
  const proposed = records.find((r) => r.type === 'agentops.intent.proposed.v1');
  const p = (proposed?.payload ?? {}) as Record<string, unknown>;
  const first = records[0];
  const last = records[records.length - 1];
  return (
    <div class="page" data-testid="intent-story" data-intent-id={props.id}>
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href={routeHref('audit')}>Audit</a> <span aria-hidden="true">›</span>{' '}
        <span aria-current="page">
          Intent <code>{shortId(props.id)}</code>
        </span>
      </nav>
      <PageHeader
        title="Story of an intent"
        subtitle={
          <>
            <code>{props.id}</code>
            {first && last && (
              <>
                {' '}
                · {records.length} events over{' '}
                {Math.max(0, (Date.parse(last.eventTime) - Date.parse(first.eventTime)) / 1000).toFixed(2)} s
              </>
            )}
          </>
        }
        actions={
          <>
            <a class="btn btn-small" href={routeHref('traces', ['intent', props.id])}>
              Trace
            </a>
            <a class="btn btn-small" href={routeHref('audit', [], { correlationId: props.id })}>
              As a table
            </a>
          </>
        }
      />
      <div class="grid-main-side">
        <Section title="Timeline" id="s-story">
          <StaleNote loaded={story} />
          {story.error && !story.data ? (
            <SectionProblem error={story.error} what="the audit log" />
          ) : !story.data ? (
            <Loading />
          ) : records.length === 0 ? (
            <Empty>No audit record carries this intent id (yet).</Empty>
          ) : (
            <>
              <ol class="timeline">
                {records.map((r) => (
                  <StoryStep key={r.eventId} record={r} />
                ))}
              </ol>
              {nextCursor && (
                <div class="table-foot" data-testid="story-more">
                  <span class="muted small">
                    The first {formatCount(records.length)} records; the story goes on.
                  </span>
                  {moreError !== null && (
                    <span class="small problem" role="status">
                      Could not load more: {messageOf(moreError)}
                    </span>
                  )}
                  <button
                    type="button"
                    class="btn btn-small"
                    disabled={moreBusy}
                    onClick={() => void loadMore()}
                  >
                    {moreBusy ? 'Loading…' : 'Load more'}
                  </button>
                </div>
              )}
            </>
          )}
        </Section>
        <div class="stack">
          <Section title="Intent" id="s-story-intent">
            {proposed ? (
              <dl class="facts">
                <dt>Action</dt>
                <dd>
                  <code>{String(p.action ?? proposed.action ?? '—')}</code>
                </dd>
                <dt>Target</dt>
                <dd>{target(p.target)}</dd>
                <dt>Agent</dt>
                <dd>
                  <code>{proposed.agentId ?? '—'}</code>
                </dd>
                <dt>Confidence</dt>
                <dd>{typeof p.confidence === 'number' ? `${Math.round(p.confidence * 100)}%` : '—'}</dd>
                <dt>Justification</dt>
                <dd>{typeof p.justification === 'string' ? p.justification : '—'}</dd>
                <dt>Tenant</dt>
                <dd>{proposed.tenantId}</dd>
              </dl>
            ) : (
              <p class="muted">{story.data ? 'The proposal is not in the log.' : '…'}</p>
            )}
          </Section>
          <ChainPanel />
        </div>
      </div>
    </div>
  );
}

function target(t: unknown): string {
  if (t && typeof t === 'object' && 'type' in t && 'id' in t) return `${String(t.type)} ${String(t.id)}`;
  return '—';
}

function StoryStep(props: { record: AuditRecord }) {
  const r = props.record;
  const p = (r.payload ?? {}) as Record<string, unknown>;
  const reasons = Array.isArray(p.reasons)
    ? (p.reasons as { policyId?: string; message?: string; effect?: string }[])
    : [];
  const reviewers = Array.isArray(p.reviewers) ? (p.reviewers as string[]) : [];
  const differences = Array.isArray(p.differences)
    ? (p.differences as { field: string; reason: string }[])
    : [];
  const tone = r.verdict ?? (p.violation === true ? 'deny' : p.status === 'failed' ? 'deny' : 'neutral');
  return (
    <li
      class={`step step-${tone}`}
      data-testid="story-step"
      data-type={r.type}
      data-verdict={r.verdict ?? ''}
    >
      <span class="step-marker" aria-hidden="true" />
      <div class="step-body">
        <div class="step-head">
          <strong class="step-title">{stepTitle(r)}</strong>
          {r.verdict && <VerdictBadge verdict={r.verdict} />}
          <span class="spacer" />
          <time class="muted small nowrap" dateTime={r.eventTime}>
            {formatTimestamp(r.eventTime)}
          </time>
        </div>
        <div class="step-meta muted small">
          {shortEventType(r.type)} · {r.actorKind} <code>{r.actorId}</code>
        </div>
        {reasons.some((x) => x.effect !== 'allow') && (
          <ul class="step-reasons">
            {reasons
              .filter((x) => x.effect !== 'allow')
              .map((x, i) => (
                <li key={i}>
                  <code>{x.policyId}</code> {x.effect && <Badge tone={`v-${x.effect}`}>{x.effect}</Badge>}{' '}
                  {x.message}
                </li>
              ))}
          </ul>
        )}
        {reasons.some((x) => x.effect === 'allow') && (
          <div class="muted small">{reasons.filter((x) => x.effect === 'allow').length} policies passed</div>
        )}
        {reviewers.length > 0 && <div class="small">Reviewers: {reviewers.join(', ')}</div>}
        {typeof p.comment === 'string' && p.comment && <div class="small">“{p.comment}”</div>}
        {typeof p.error === 'string' && <div class="small problem">{p.error}</div>}
        {differences.length > 0 && (
          <ul class="step-reasons">
            {differences.map((d, i) => (
              <li key={i}>
                <code>{d.field}</code>: {d.reason}
              </li>
            ))}
          </ul>
        )}
        <details class="raw">
          <summary>Payload and hash</summary>
          <pre>{JSON.stringify(r.payload, null, 2)}</pre>
          <p class="muted small">
            chain <code>{r.chainId}</code> #{r.sequence} · hash <code>{r.hash.slice(0, 16)}…</code>
          </p>
        </details>
      </div>
    </li>
  );
}
