import { useState } from 'preact/hooks';
import { api, getPage, svc } from '../api';
import { MorePages, usePagedList } from '../components/paging';
import {
  Badge,
  Empty,
  KeyValueTable,
  Loading,
  PageHeader,
  Section,
  SectionProblem,
  useLoad,
} from '../components/ui';
import { type CostGroupView, costLabel, unknownNote } from '../lib/costs';
import { formatCount, shortId } from '../lib/format';
import { routeHref } from '../lib/route';
import { type WaterfallRow, layoutWaterfall } from '../lib/waterfall';
import type { TraceSpan } from '../types';

/**
 * Traces from ingest's embedded trace store: an intent's whole trace as a waterfall — the agent's
 * LLM and tool calls (its OTLP spans) and the platform's decision and review — or one trace by id.
 */
export function TracesPage(props: { rest: string[] }) {
  const [kind, id] = props.rest;
  if (kind === 'intent' && id) return <IntentTraces key={id} intentId={id.toLowerCase()} />;
  if (kind && /^[0-9a-f]{32}$/i.test(kind)) return <OneTrace key={kind} traceId={kind.toLowerCase()} />;
  return <Finder />;
}

function Finder() {
  const [value, setValue] = useState('');
  const go = (e: Event) => {
    e.preventDefault();
    const v = value.trim().toLowerCase();
    if (/^[0-9a-f]{32}$/.test(v)) location.hash = routeHref('traces', [v]);
    else if (v) location.hash = routeHref('traces', ['intent', v]);
  };
  return (
    <div class="page" data-testid="page-traces">
      <PageHeader
        title="Traces"
        subtitle="An intent's trace from the agent's LLM call to its decision, from the embedded trace store."
      />
      <Section title="Find a trace" id="s-trace-find">
        <form class="quick-search" role="search" onSubmit={go}>
          <label for="trace-q" class="sr-only">
            Intent id or trace id
          </label>
          <input
            id="trace-q"
            data-testid="trace-q"
            placeholder="intent id (UUID) or trace id (32 hex digits)"
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="btn">
            Show
          </button>
        </form>
      </Section>
      <Costs />
    </div>
  );
}

const GROUPINGS = ['agent', 'version', 'cohort', 'intent'] as const;

function Costs() {
  const [groupBy, setGroupBy] = useState<(typeof GROUPINGS)[number]>('agent');
  // The price table of the first page names the table of every page (one table per process).
  const table = useLoad(
    () =>
      api.get<{ priceTableVersion: string; currency: string }>(svc('ingest', '/v1/costs'), {
        groupBy,
        limit: 1,
      }),
    [groupBy],
  );
  const loaded = usePagedList<CostGroupView>(
    getPage(svc('ingest', '/v1/costs'), 'groups', { groupBy }),
    [groupBy],
    {
      keyOf: (g) => g.group,
    },
  );
  return (
    <Section
      title="LLM cost"
      id="s-costs"
      testid="costs"
      actions={
        <label>
          <span class="sr-only">Group by</span>
          <select
            data-testid="cost-group"
            value={groupBy}
            onChange={(e) => setGroupBy((e.currentTarget as HTMLSelectElement).value as typeof groupBy)}
          >
            {GROUPINGS.map((g) => (
              <option key={g} value={g}>
                by {g}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {loaded.error && !loaded.data ? (
        <SectionProblem error={loaded.error} what="costs" />
      ) : !loaded.data ? (
        <Loading />
      ) : loaded.data.items.length === 0 ? (
        <Empty>No token usage in the trace store.</Empty>
      ) : (
        <>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{groupBy}</th>
                <th scope="col">calls</th>
                <th scope="col">cost ({table.data?.currency ?? 'USD'})</th>
                <th scope="col">not priced</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.items.map((g) => (
                <tr key={g.group} data-testid="cost-row">
                  <td>
                    {groupBy === 'intent' && /^[0-9a-f-]{36}$/.test(g.group) ? (
                      <a href={routeHref('traces', ['intent', g.group])}>
                        <code>{shortId(g.group)}</code>
                      </a>
                    ) : (
                      <code>{g.group}</code>
                    )}
                  </td>
                  <td>{formatCount(g.calls)}</td>
                  <td>{costLabel(g)}</td>
                  <td class="muted small">{unknownNote(g)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <MorePages list={loaded} noun="groups shown" />
          <p class="muted small">
            Price table {table.data?.priceTableVersion ?? '…'}; an unknown model is never counted as $0.
          </p>
        </>
      )}
    </Section>
  );
}

function IntentTraces(props: { intentId: string }) {
  const loaded = usePagedList<{ traceId: string; spans: TraceSpan[] }>(
    getPage(svc('ingest', '/v1/traces'), 'traces', { intentId: props.intentId }),
    [props.intentId],
    { keyOf: (t) => t.traceId },
  );
  return (
    <div class="page" data-testid="page-traces">
      <Crumbs
        label={
          <>
            Intent <code>{shortId(props.intentId)}</code>
          </>
        }
      />
      <PageHeader
        title="Trace of an intent"
        subtitle={<code>{props.intentId}</code>}
        actions={
          <a class="btn btn-small" href={routeHref('audit', ['intent', props.intentId])}>
            Audit story
          </a>
        }
      />
      {loaded.error && !loaded.data ? (
        <SectionProblem error={loaded.error} what="traces" />
      ) : !loaded.data ? (
        <Loading />
      ) : loaded.data.items.length === 0 ? (
        <Empty>No trace is stored for this intent (yet, or it is past the retention).</Empty>
      ) : (
        <>
          {loaded.data.items.map((t) => (
            <Waterfall key={t.traceId} traceId={t.traceId} spans={t.spans} />
          ))}
          <MorePages list={loaded} noun="traces shown" />
        </>
      )}
    </div>
  );
}

function OneTrace(props: { traceId: string }) {
  const loaded = useLoad(
    () => api.get<{ traceId: string; spans: TraceSpan[] }>(svc('ingest', `/v1/traces/${props.traceId}`)),
    [props.traceId],
  );
  return (
    <div class="page" data-testid="page-traces">
      <Crumbs
        label={
          <>
            Trace <code>{props.traceId.slice(0, 8)}</code>
          </>
        }
      />
      <PageHeader title="Trace" subtitle={<code>{props.traceId}</code>} />
      {loaded.error && !loaded.data ? (
        <SectionProblem error={loaded.error} what="this trace" />
      ) : !loaded.data ? (
        <Loading />
      ) : (
        <Waterfall traceId={props.traceId} spans={loaded.data.spans} />
      )}
    </div>
  );
}

function Crumbs(props: { label: preact.ComponentChildren }) {
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href={routeHref('traces')}>Traces</a> › <span aria-current="page">{props.label}</span>
    </nav>
  );
}

function tone(span: TraceSpan): string {
  if (span.status.code === 'error') return 'danger';
  if (span.source !== 'agent') return 'platform';
  return span.operation === 'execute_tool' ? 'tool' : span.operation ? 'llm' : 'agent';
}

function Waterfall(props: { traceId: string; spans: TraceSpan[] }) {
  const [open, setOpen] = useState<string | null>(null);
  const layout = layoutWaterfall(props.spans);
  const selected = props.spans.find((s) => s.spanId === open);
  return (
    <Section
      title={
        <>
          Trace <code>{props.traceId}</code>
        </>
      }
      id={`s-trace-${props.traceId}`}
      testid="waterfall"
    >
      <p class="muted small">
        {layout.rows.length} spans over {layout.totalMs.toFixed(1)} ms
      </p>
      <ol class="waterfall">
        {layout.rows.map((row: WaterfallRow<TraceSpan>) => (
          <li
            key={row.span.spanId}
            class="wf-row"
            data-testid="wf-row"
            data-source={row.span.source}
            data-name={row.span.name}
          >
            <button
              type="button"
              class="wf-label"
              style={{ paddingLeft: `${row.depth * 1.1 + 0.3}rem` }}
              aria-expanded={open === row.span.spanId}
              onClick={() => setOpen(open === row.span.spanId ? null : row.span.spanId)}
            >
              <span class="wf-name">{row.span.name}</span>
              <span class="muted small">
                {' '}
                {row.span.source}
                {row.span.model ? ` · ${row.span.model}` : ''}
              </span>
            </button>
            <span class="wf-track" aria-hidden="true">
              <span
                class={`wf-bar wf-${tone(row.span)}`}
                style={{ left: `${row.offset * 100}%`, width: `${row.width * 100}%` }}
              />
            </span>
            <span class="wf-time small">{row.durationMs.toFixed(1)} ms</span>
          </li>
        ))}
      </ol>
      {selected && (
        <div class="wf-detail" data-testid="wf-detail">
          <h3>
            {selected.name} <Badge>{selected.kind}</Badge>{' '}
            <Badge tone={tone(selected)}>{selected.status.code}</Badge>
          </h3>
          <KeyValueTable
            caption="Usage"
            value={Object.fromEntries(Object.entries(selected.usage).filter(([, v]) => v !== null))}
          />
          <KeyValueTable caption="Attributes" value={selected.attributes} />
        </div>
      )}
    </Section>
  );
}
