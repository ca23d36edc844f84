import { api, getPage, svc } from '../api';
import { MorePages, usePagedList } from '../components/paging';
import {
  Badge,
  Empty,
  Loading,
  ModeBadge,
  PageHeader,
  Section,
  SectionProblem,
  StaleNote,
  Time,
  useLoad,
  useNow,
} from '../components/ui';
import { formatCount, plural } from '../lib/format';
import { readPages } from '../lib/pages';
import { type ActivePoliciesView, type PolicyFire, joinFires, layeredPolicies } from '../lib/policies';
import type { PolicySetSummary } from '../types';

/** Fire counts are read up to this many pages of 500 (policy × version × mode × effect rows). */
const FIRE_PAGES = 20;

export function PoliciesPage() {
  const now = useNow(5000);
  const active = useLoad(() => api.get<ActivePoliciesView>(svc('guardrail', '/v1/policies')), []);
  // Every page of the fire counts: each policy row sums its versions' and effects' counts.
  const fires = useLoad(
    () => readPages(getPage<PolicyFire>('/v1/policies/fires', 'fires', { limit: 500 }), FIRE_PAGES),
    [],
    10_000,
  );
  const sets = usePagedList<PolicySetSummary>(getPage(svc('guardrail', '/v1/policies/sets'), 'sets'), [], {
    keyOf: (s) => `${s.scope}/${s.tenantId ?? ''}/${s.version}`,
  });

  const { rows, other } = joinFires(active.data ? layeredPolicies(active.data) : [], fires.data?.items ?? []);
  const shadow = rows.filter((r) => r.mode === 'shadow').length;
  const tenant = active.data?.tenant;

  return (
    <div class="page" data-testid="page-policies">
      <PageHeader
        title="Policies"
        subtitle={
          active.data ? (
            <>
              Baseline <code data-testid="policy-set-version">{active.data.baseline.version ?? 'none'}</code>
              {tenant && (
                <>
                  {' '}
                  · {tenant.tenantId}’s set{' '}
                  <code data-testid="tenant-policy-set-version">{tenant.version ?? 'none'}</code>
                </>
              )}{' '}
              · {plural(rows.length, 'policy', 'policies')}
              {shadow > 0 && ` · ${shadow} in shadow mode`}
            </>
          ) : (
            'The platform baseline, your tenant’s own set over it, and how often each policy fired.'
          )
        }
      />
      <Section
        title="Active policies"
        id="s-active-policies"
        actions={
          fires.error ? (
            <span class="muted small">
              Fire counts unavailable{fires.error.message ? `: ${fires.error.message}` : ''}
            </span>
          ) : fires.data?.next ? (
            <span class="muted small" data-testid="fires-partial">
              Fire counts of the first {formatCount(fires.data.items.length)} rows only
            </span>
          ) : null
        }
      >
        <StaleNote loaded={active} />
        {active.error && !active.data ? (
          <SectionProblem error={active.error} what="policies" />
        ) : !active.data ? (
          <Loading />
        ) : !active.data.baseline.version ? (
          <Empty>
            No baseline policy set is active: the guardrail denies every intent until one is applied.
          </Empty>
        ) : rows.length === 0 ? (
          <Empty>The active sets hold no policies: every intent within its agent’s scopes is allowed.</Empty>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="policy-table">
              <thead>
                <tr>
                  <th scope="col">Policy</th>
                  <th
                    scope="col"
                    title="the platform baseline, or your tenant’s own set (which only adds constraints)"
                  >
                    Set
                  </th>
                  <th scope="col">Version</th>
                  <th scope="col">Mode</th>
                  <th scope="col">File</th>
                  <th scope="col" class="num" title="decisions the policy applied to">
                    Matched
                  </th>
                  <th
                    scope="col"
                    class="num"
                    title="decisions where it denied, escalated, modified or warned"
                  >
                    Fired
                  </th>
                  <th scope="col">Effects</th>
                  <th scope="col">Last fired</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr
                    key={`${p.set}/${p.id}@${p.version}`}
                    data-testid="policy-row"
                    data-policy-id={p.id}
                    data-policy-set={p.set}
                  >
                    <th scope="row">
                      <code>{p.id}</code>
                    </th>
                    <td>
                      <Badge tone={`set-${p.set ?? 'baseline'}`}>{p.set ?? 'baseline'}</Badge>
                    </td>
                    <td>{p.version}</td>
                    <td>
                      <ModeBadge mode={p.mode} />
                    </td>
                    <td>
                      <code class="muted">{p.file}</code>
                    </td>
                    <td class="num muted" data-testid="matched-count">
                      {formatCount(p.matched)}
                    </td>
                    <td class="num" data-testid="fired-count">
                      <span class={p.fired ? 'strong' : 'muted'}>{formatCount(p.fired)}</span>
                    </td>
                    <td>
                      <span class="effects">
                        {p.effects.map((e) => (
                          <Badge key={e} tone={`v-${e}`}>
                            {e}
                          </Badge>
                        ))}
                      </span>
                    </td>
                    <td>
                      {p.lastFiredAt ? (
                        <Time iso={p.lastFiredAt} now={now} />
                      ) : (
                        <span class="muted">never</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <div class="grid-2">
        <Section title="Versions" id="s-policy-sets">
          <StaleNote loaded={sets} />
          {sets.error && !sets.data ? (
            <SectionProblem error={sets.error} what="policy set history" />
          ) : !sets.data ? (
            <Loading />
          ) : sets.data.items.length === 0 ? (
            <Empty>No policy set was ever applied.</Empty>
          ) : (
            <ol class="versions" data-testid="policy-sets">
              {sets.data.items.map((s) => (
                <li
                  key={`${s.scope}/${s.tenantId ?? ''}/${s.version}`}
                  class={s.active ? 'current' : ''}
                  data-testid="policy-set"
                >
                  <span class="muted small">{s.scope === 'tenant' ? `${s.tenantId}’s set` : 'baseline'}</span>{' '}
                  <code>{s.version}</code>
                  {s.active && <Badge tone="v-allow">active</Badge>}
                  <span class="muted small">
                    {plural(s.policies, 'policy', 'policies')} · by {s.appliedBy} ·{' '}
                    <Time iso={s.appliedAt} now={now} />
                  </span>
                </li>
              ))}
            </ol>
          )}
          <MorePages list={sets} />
        </Section>
        {(active.data?.tenants?.length ?? 0) > 0 && (
          <Section title="Tenant sets" id="s-tenant-sets">
            <p class="muted small">Tenants with a set of their own over the baseline.</p>
            <ul class="versions" data-testid="tenant-sets">
              {active.data!.tenants!.map((t) => (
                <li key={t.tenantId}>
                  {t.tenantId} <code>{t.version}</code>{' '}
                  <span class="muted small">{plural(t.policies, 'policy', 'policies')}</span>
                </li>
              ))}
            </ul>
          </Section>
        )}
        {other.length > 0 && (
          <Section title="Other rules on record" id="s-other-fires">
            <p class="muted small">Earlier policy versions and built-in checks (scopes, kill switches).</p>
            <table class="table table-dense">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Version</th>
                  <th scope="col">Effect</th>
                  <th scope="col" class="num">
                    Count
                  </th>
                  <th scope="col">Last</th>
                </tr>
              </thead>
              <tbody>
                {other.map((f) => (
                  <tr key={`${f.policyId}@${f.policyVersion}/${f.effect}/${f.mode}`}>
                    <td>
                      <code>{f.policyId}</code>
                    </td>
                    <td>{f.policyVersion}</td>
                    <td>
                      <Badge tone={`v-${f.effect}`}>{f.effect}</Badge>
                    </td>
                    <td class="num">{formatCount(f.count)}</td>
                    <td>
                      <Time iso={f.lastFiredAt} now={now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        )}
      </div>
    </div>
  );
}
