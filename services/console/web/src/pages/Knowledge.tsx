import { useState } from 'preact/hooks';
import { api, getPage, svc } from '../api';
import { MorePages, usePagedList } from '../components/paging';
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
  useLoad,
  useNow,
} from '../components/ui';
import { plural, shortId } from '../lib/format';
import { readPages } from '../lib/pages';
import {
  type GroundedRecord,
  type KnowledgeDiffView,
  type KnowledgeVersionView,
  byPolicy,
  contradictions,
  defaultDiffPair,
  diffRows,
  newestFirst,
} from '../lib/knowledge';
import { routeHref } from '../lib/route';
import type { User } from '../types';

const CHANGE_TONE = { added: 'v-allow', removed: 'v-deny', changed: 'v-modify' } as const;

/** How far back "recently contradicted" looks. */
const RECENT_MS = 24 * 3600_000;
/** The contradictions section reads at most this many pages of 1,000 decisions, and says so when more exist. */
const RECENT_PAGES = 10;

/**
 * A tenant's approved knowledge: its versions, what changed between two of them, and which
 * customer-facing claims were contradicted recently and by which policy (the claim verdicts the
 * guardrail's decisions carry into the audit). Operators (every tenant) name the tenant.
 */
export function KnowledgePage(props: { user: User; tenant?: string }) {
  const now = useNow(10_000);
  const everyTenant = props.user.tenantId === '*';
  const [typed, setTyped] = useState(props.tenant ?? '');
  const tenant = everyTenant ? (props.tenant ?? '') : props.user.tenantId;

  const versions = usePagedList<KnowledgeVersionView>(
    tenant
      ? getPage(svc('guardrail', `/v1/knowledge/${encodeURIComponent(tenant)}/versions`), 'versions')
      : () => Promise.resolve({ items: [], next: null }),
    [tenant],
    { intervalMs: 15_000, keyOf: (v) => String(v.kbVersion) },
  );
  const list = newestFirst(versions.data?.items ?? []);
  const [picked, setPicked] = useState<[number, number] | undefined>(undefined);
  const pair = picked ?? defaultDiffPair(list);
  const diff = useLoad(
    () =>
      tenant && pair
        ? api.get<{ diff: KnowledgeDiffView }>(
            svc(
              'guardrail',
              `/v1/knowledge/${encodeURIComponent(tenant)}/versions/${pair[0]}/diff/${pair[1]}`,
            ),
          )
        : Promise.resolve(undefined),
    [tenant, pair?.[0], pair?.[1]],
  );
  const recent = useLoad(
    () =>
      tenant
        ? readPages(
            getPage<GroundedRecord>(svc('audit', '/v1/audit/records'), 'records', {
              claimVerdict: 'CONTRADICTED',
              type: 'agentops.intent.decided.v1',
              tenantId: everyTenant ? tenant : undefined,
              from: new Date(Date.now() - RECENT_MS).toISOString(),
              limit: 1000,
            }),
            RECENT_PAGES,
          )
        : Promise.resolve({ items: [], next: null }),
    [tenant],
    15_000,
  );
  const rows = contradictions(recent.data?.items ?? []);
  const policies = byPolicy(rows);
  const current = list[0];

  return (
    <div class="page" data-testid="page-knowledge">
      <PageHeader
        title="Knowledge"
        subtitle={
          current ? (
            <>
              {tenant}’s approved knowledge · current version{' '}
              <code data-testid="kb-current-version">v{current.kbVersion}</code> ·{' '}
              {plural(current.products, 'product')} · imported <Time iso={current.importedAt} now={now} />
            </>
          ) : (
            'Versions of the tenant’s approved knowledge, what changed between two, and the claims agents got wrong.'
          )
        }
      />
      {everyTenant && (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            location.hash = routeHref('knowledge', [], { tenant: typed.trim() });
          }}
        >
          <div class="field">
            <label for="kb-tenant">Tenant</label>
            <input
              id="kb-tenant"
              name="tenant"
              value={typed}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
          </div>
          <button type="submit" class="btn">
            Show
          </button>
        </form>
      )}
      {!tenant ? (
        <Empty>Name a tenant to see its knowledge.</Empty>
      ) : (
        <>
          <Section title="Versions" id="s-kb-versions">
            <StaleNote loaded={versions} />
            {versions.error && !versions.data ? (
              <SectionProblem error={versions.error} what="knowledge versions" />
            ) : !versions.data ? (
              <Loading />
            ) : list.length === 0 ? (
              <Empty>No knowledge imported yet: claims of this tenant’s agents cannot be checked.</Empty>
            ) : (
              <div class="table-wrap">
                <table class="table" data-testid="kb-versions">
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Imported</th>
                      <th scope="col">By</th>
                      <th scope="col">Format</th>
                      <th scope="col" class="num">
                        Products
                      </th>
                      <th scope="col">Changes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((v) => (
                      <tr key={v.kbVersion} data-testid="kb-version-row" data-kb-version={v.kbVersion}>
                        <th scope="row">v{v.kbVersion}</th>
                        <td>
                          <Time iso={v.importedAt} now={now} />
                        </td>
                        <td>{v.importedBy}</td>
                        <td>{v.format}</td>
                        <td class="num">{v.products}</td>
                        <td>{v.summary}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <MorePages list={versions} />
              </div>
            )}
          </Section>

          <Section title="Diff between two versions" id="s-kb-diff">
            {list.length < 2 || !pair ? (
              <Empty>A diff needs two versions.</Empty>
            ) : (
              <>
                <div class="form-grid form-grid-4">
                  {(['From', 'To'] as const).map((label, i) => (
                    <div class="field" key={label}>
                      <label for={`kb-diff-${label.toLowerCase()}`}>{label} version</label>
                      <select
                        id={`kb-diff-${label.toLowerCase()}`}
                        value={String(pair[i])}
                        onChange={(e) => {
                          const v = Number((e.target as HTMLSelectElement).value);
                          setPicked(i === 0 ? [v, pair[1]] : [pair[0], v]);
                        }}
                      >
                        {list.map((v) => (
                          <option key={v.kbVersion} value={String(v.kbVersion)}>
                            v{v.kbVersion}
                          </option>
                        ))}
                      </select>
                    </div>
                  ))}
                </div>
                {diff.error ? (
                  <SectionProblem error={diff.error} what="the diff" />
                ) : !diff.data ? (
                  <Loading />
                ) : diff.data.diff.empty ? (
                  <Empty>
                    No changes between v{pair[0]} and v{pair[1]}.
                  </Empty>
                ) : (
                  <>
                    <p class="muted" data-testid="kb-diff-summary">
                      v{pair[0]} → v{pair[1]}: {diff.data.diff.summary}
                    </p>
                    <div class="table-wrap">
                      <table class="table" data-testid="kb-diff">
                        <thead>
                          <tr>
                            <th scope="col">What</th>
                            <th scope="col">Change</th>
                            <th scope="col">Record</th>
                            <th scope="col">Detail</th>
                          </tr>
                        </thead>
                        <tbody>
                          {diffRows(diff.data.diff).map((r) => (
                            <tr
                              key={`${r.area}/${r.change}/${r.id}`}
                              data-testid="kb-diff-row"
                              data-record={r.id}
                            >
                              <td>{r.area}</td>
                              <td>
                                <Badge tone={CHANGE_TONE[r.change]}>{r.change}</Badge>
                              </td>
                              <th scope="row">
                                <code>{r.id}</code>
                              </th>
                              <td>{r.detail}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  </>
                )}
              </>
            )}
          </Section>

          <Section title="Contradicted claims, last 24 hours" id="s-kb-contradicted">
            <StaleNote loaded={recent} />
            {recent.error && !recent.data ? (
              <SectionProblem error={recent.error} what="the audit’s claim verdicts" />
            ) : !recent.data ? (
              <Loading />
            ) : rows.length === 0 ? (
              <Empty>No claim contradicted approved knowledge in the last 24 hours.</Empty>
            ) : (
              <>
                {recent.data.next && (
                  <p class="muted small" data-testid="kb-more-contradictions">
                    The first {plural(recent.data.items.length, 'decision')} with a contradicted claim are
                    counted; the audit holds more from these 24 hours.
                  </p>
                )}
                <p data-testid="kb-by-policy">
                  {policies.map((p, i) => (
                    <span key={p.policy} data-testid="kb-policy-count" data-policy-id={p.policy}>
                      {i > 0 && ' · '}
                      <code>{p.policy}</code> {plural(p.claims, 'claim')}
                    </span>
                  ))}
                </p>
                <div class="table-wrap">
                  <table class="table" data-testid="kb-contradictions">
                    <thead>
                      <tr>
                        <th scope="col">When</th>
                        <th scope="col">Intent</th>
                        <th scope="col">Agent</th>
                        <th scope="col">Claim</th>
                        <th scope="col">Approved fact</th>
                        <th scope="col">Decision</th>
                        <th scope="col">Policy</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((r, i) => (
                        <tr
                          key={`${r.intentId}/${i}`}
                          data-testid="contradiction-row"
                          data-intent-id={r.intentId}
                        >
                          <td>
                            <Time iso={r.at} now={now} />
                          </td>
                          <td>
                            {r.intentId ? (
                              <a href={routeHref('audit', ['intent', r.intentId])}>
                                <code>{shortId(r.intentId)}</code>
                              </a>
                            ) : (
                              '—'
                            )}
                          </td>
                          <td>{r.agentId ?? '—'}</td>
                          <td>{r.kind}</td>
                          <td>
                            <code>
                              {r.record} {r.field}
                            </code>{' '}
                            = {r.expected || '—'} <span class="muted">@ v{r.kbVersion}</span>
                          </td>
                          <td>
                            <VerdictBadge verdict={r.verdict} />
                          </td>
                          <td>
                            {r.policies.length ? r.policies.join(', ') : <span class="muted">none</span>}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </Section>
        </>
      )}
    </div>
  );
}
