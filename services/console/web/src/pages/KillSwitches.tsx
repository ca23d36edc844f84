import { useState } from 'preact/hooks';
import { api, getPage, svc } from '../api';
import { MorePages, type PagedList, usePagedList } from '../components/paging';
import {
  Badge,
  Empty,
  Loading,
  Modal,
  PageHeader,
  Section,
  SectionProblem,
  StaleNote,
  Time,
  useFeedback,
  useLoad,
  useNow,
} from '../components/ui';
import { plural, shortId } from '../lib/format';
import { readPages, shownCount } from '../lib/pages';
import { routeHref } from '../lib/route';
import {
  AGENT_ROLES,
  EMPTY_SELECTOR_FIELDS,
  EXPIRY_OPTIONS,
  type CohortSelector,
  type SelectorFields,
  buildSelector,
  defaultTenant,
  describeSelector,
  ttlFor,
} from '../lib/selector';
import type { Agent, FlipPreview, KillSwitch, SwitchHistoryEntry, User } from '../types';

const PREVIEW_IDS = 8;
/** The agent field suggests at most this many pages of agents (a datalist, not the list of record). */
const AGENT_SUGGESTION_PAGES = 10;
/** The history names switches from at most this many pages of them (500 each). */
const SWITCH_LOOKUP_PAGES = 20;

export function KillSwitchesPage(props: { user: User; tab?: string }) {
  const tab = props.tab === 'history' ? 'history' : 'active';
  const now = useNow(5000);
  const switches = usePagedList<KillSwitch>(
    getPage(svc('killswitch', '/v1/killswitches'), 'switches', { state: 'active' }),
    [],
    { intervalMs: 5000, keyOf: (s) => s.id },
  );
  return (
    <div class="page" data-testid="page-killswitches">
      <PageHeader
        title="Kill switches"
        subtitle="Halt a cohort of agents at once; every enforcement point stops their intents within a second."
      />
      <nav class="tabs" aria-label="Kill switch views">
        <a
          href={routeHref('killswitches')}
          aria-current={tab === 'active' ? 'page' : undefined}
          data-testid="tab-active"
        >
          Active
          {switches.data ? ` (${shownCount(switches.data.items.length, switches.data.next !== null)})` : ''}
        </a>
        <a
          href={routeHref('killswitches', ['history'])}
          aria-current={tab === 'history' ? 'page' : undefined}
          data-testid="tab-history"
        >
          History
        </a>
      </nav>
      {tab === 'active' ? (
        <div class="grid-main-side">
          <ActiveSwitches switches={switches} now={now} />
          <FlipForm user={props.user} onFlipped={switches.reload} />
        </div>
      ) : (
        <SwitchHistory now={now} />
      )}
    </div>
  );
}

function ActiveSwitches(props: { switches: PagedList<KillSwitch>; now: number }) {
  const feedback = useFeedback();
  const [busy, setBusy] = useState<string | null>(null);
  const { data, error } = props.switches;

  const release = async (s: KillSwitch) => {
    const reason = window.prompt(
      `Release the kill switch on ${describeSelector(s.selector)}? Its agents resume at once.\n\nReason for the release:`,
      '',
    );
    if (reason === null) return;
    if (!reason.trim()) return feedback.error('Give a reason to release a kill switch.');
    setBusy(s.id);
    try {
      await api.post(svc('killswitch', `/v1/killswitches/${s.id}/release`), { reason: reason.trim() });
      feedback.notice(`Released: ${describeSelector(s.selector)}`);
      props.switches.reload();
    } catch (err) {
      feedback.error(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Section title="Active switches" id="s-active-switches">
      <StaleNote loaded={props.switches} />
      {error && !data ? (
        <SectionProblem error={error} what="kill switches" />
      ) : !data ? (
        <Loading />
      ) : data.items.length === 0 ? (
        <Empty>No kill switch is active. Every agent runs under its policies.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="switch-table">
            <thead>
              <tr>
                <th scope="col">Halts</th>
                <th scope="col">Reason</th>
                <th scope="col">By</th>
                <th scope="col">Since</th>
                <th scope="col">Expires</th>
                <th scope="col" class="num">
                  Agents
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((s) => (
                <tr key={s.id} data-testid="switch-row" data-switch-id={s.id}>
                  <td>
                    <span class="selector-text">{describeSelector(s.selector)}</span>
                  </td>
                  <td>
                    {s.reason}
                    {s.ticket && <span class="muted small"> · {s.ticket}</span>}
                  </td>
                  <td>
                    <code class="actor">{s.actor}</code>
                  </td>
                  <td class="nowrap">
                    <Time iso={s.flippedAt} now={props.now} />
                  </td>
                  <td class="nowrap">
                    {s.expiresAt ? (
                      <Time iso={s.expiresAt} now={props.now} />
                    ) : (
                      <span class="muted">never</span>
                    )}
                  </td>
                  <td class="num" data-testid="covered-agents">
                    {s.coveredAgents ?? '—'}
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      class="btn btn-small"
                      data-testid="release"
                      aria-label={`Release switch on ${describeSelector(s.selector)}`}
                      disabled={busy === s.id}
                      onClick={() => void release(s)}
                    >
                      Release
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <MorePages list={props.switches} />
        </div>
      )}
    </Section>
  );
}

interface FlipDraft {
  fields: SelectorFields;
  reason: string;
  ticket: string;
  expiry: string;
}

function FlipForm(props: { user: User; onFlipped: () => void }) {
  const feedback = useFeedback();
  const initial = (): FlipDraft => ({
    fields: { ...EMPTY_SELECTOR_FIELDS, tenantId: defaultTenant(props.user.tenantId) },
    reason: '',
    ticket: '',
    expiry: '',
  });
  const [draft, setDraft] = useState<FlipDraft>(initial);
  const [invalid, setInvalid] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<{
    selector: CohortSelector;
    global: boolean;
    preview: FlipPreview;
  } | null>(null);
  // Suggestions for the agent field: every agent, up to AGENT_SUGGESTION_PAGES pages.
  const agents = useLoad(
    () =>
      readPages(
        getPage<Agent>(svc('ingest', '/v1/agents'), 'agents', { limit: 500 }),
        AGENT_SUGGESTION_PAGES,
      ),
    [],
  );
  const operator = props.user.tenantId === '*';

  const set = (k: keyof SelectorFields) => (e: Event) =>
    setDraft((d) => ({ ...d, fields: { ...d.fields, [k]: (e.currentTarget as HTMLInputElement).value } }));

  const review = async (e: Event) => {
    e.preventDefault();
    const built = buildSelector(draft.fields);
    const problems: { field: string; message: string }[] = built.ok ? [] : built.errors;
    if (!draft.reason.trim()) problems.push({ field: 'reason', message: 'a reason is required' });
    setInvalid(problems.map((p) => p.field));
    if (problems.length || !built.ok) {
      feedback.error(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
      return;
    }
    setBusy(true);
    try {
      const preview = await api.post<FlipPreview>(svc('killswitch', '/v1/killswitches/preview'), {
        selector: built.selector,
      });
      feedback.clear();
      setPending({ selector: built.selector, global: built.global, preview });
    } catch (err) {
      feedback.error(err);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      const ttlSeconds = ttlFor(draft.expiry);
      const flipped = await api.post<KillSwitch>(svc('killswitch', '/v1/killswitches'), {
        selector: pending.selector,
        reason: draft.reason.trim(),
        ...(draft.ticket.trim() ? { ticket: draft.ticket.trim() } : {}),
        ...(ttlSeconds ? { ttlSeconds } : {}),
      });
      feedback.notice(`Kill switch flipped: ${describeSelector(flipped.selector ?? pending.selector)}`);
      setPending(null);
      setDraft(initial());
      setInvalid([]);
      props.onFlipped();
    } catch (err) {
      setPending(null);
      feedback.error(err);
    } finally {
      setBusy(false);
    }
  };

  const f = draft.fields;
  const inv = (k: string) => (invalid.includes(k) ? { 'aria-invalid': true } : {});
  const n = pending?.preview.coveredAgents ?? 0;
  return (
    <Section title="Flip a kill switch" id="s-flip">
      <form class="form" data-testid="flip-form" onSubmit={(e) => void review(e)} noValidate>
        <p class="muted small">Leave a field empty to match any value. The selector narrows the cohort.</p>
        <div class="form-grid">
          <div class="field">
            <label for="flip-role">Role</label>
            <select id="flip-role" name="role" value={f.role} onChange={set('role')} {...inv('role')}>
              <option value="">Any role</option>
              {AGENT_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="flip-agent">Agent id</label>
            <input
              id="flip-agent"
              name="agentId"
              list="flip-agent-ids"
              value={f.agentId}
              onInput={set('agentId')}
              placeholder="any"
              {...inv('agentId')}
            />
            <datalist id="flip-agent-ids">
              {(agents.data?.items ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.role}
                </option>
              ))}
            </datalist>
          </div>
          <div class="field">
            <label for="flip-region">Region</label>
            <input
              id="flip-region"
              name="region"
              value={f.region}
              onInput={set('region')}
              placeholder="any"
              {...inv('region')}
            />
          </div>
          <div class="field">
            <label for="flip-version">Agent version</label>
            <input
              id="flip-version"
              name="agentVersion"
              value={f.agentVersion}
              onInput={set('agentVersion')}
              placeholder="any"
              {...inv('agentVersion')}
            />
          </div>
          <div class="field">
            <label for="flip-action">Action (glob)</label>
            <input
              id="flip-action"
              name="action"
              value={f.action}
              onInput={set('action')}
              placeholder="e.g. pricing.*"
              {...inv('action')}
            />
          </div>
          <div class="field">
            <label for="flip-tenant">Tenant</label>
            <input
              id="flip-tenant"
              name="tenantId"
              value={f.tenantId}
              onInput={set('tenantId')}
              placeholder={operator ? 'every tenant' : ''}
              readOnly={!operator}
              aria-describedby="flip-tenant-hint"
              {...inv('tenantId')}
            />
            <span id="flip-tenant-hint" class="hint">
              {operator ? 'Empty: every tenant.' : 'Your tenant.'}
            </span>
          </div>
        </div>
        <div class="field">
          <label for="flip-reason">Reason</label>
          <textarea
            id="flip-reason"
            name="reason"
            rows={2}
            required
            aria-required="true"
            value={draft.reason}
            onInput={(e) => setDraft((d) => ({ ...d, reason: e.currentTarget.value }))}
            {...inv('reason')}
          />
        </div>
        <div class="form-grid">
          <div class="field">
            <label for="flip-ticket">Ticket</label>
            <input
              id="flip-ticket"
              name="ticket"
              value={draft.ticket}
              placeholder="e.g. INC-1234"
              onInput={(e) => setDraft((d) => ({ ...d, ticket: e.currentTarget.value }))}
            />
          </div>
          <div class="field">
            <label for="flip-expiry">Expires</label>
            <select
              id="flip-expiry"
              name="expiry"
              value={draft.expiry}
              onChange={(e) => setDraft((d) => ({ ...d, expiry: e.currentTarget.value }))}
            >
              {EXPIRY_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="form-actions">
          <span class="muted small" aria-live="polite">
            {buildSelectorPreview(f)}
          </span>
          <button type="submit" class="btn btn-danger" disabled={busy}>
            {busy && !pending ? 'Checking…' : 'Flip…'}
          </button>
        </div>
      </form>
      {pending && (
        <Modal
          title="Confirm kill switch"
          testid="flip-confirm"
          onClose={() => setPending(null)}
          attrs={{ 'data-covered-agents': n }}
        >
          <p class="confirm-headline" data-testid="flip-confirm-count">
            This halts {n} {n === 1 ? 'agent' : 'agents'}
          </p>
          <p>
            Selector: <strong>{describeSelector(pending.preview.selector)}</strong>
          </p>
          {pending.preview.agents.length > 0 ? (
            <ul class="id-list" aria-label="Agents halted">
              {pending.preview.agents.slice(0, PREVIEW_IDS).map((id) => (
                <li key={id}>
                  <code>{id}</code>
                </li>
              ))}
              {pending.preview.agents.length > PREVIEW_IDS && (
                <li class="muted">and {plural(pending.preview.agents.length - PREVIEW_IDS, 'more agent')}</li>
              )}
            </ul>
          ) : (
            <p class="muted">No agent seen so far matches; the switch still stops any that appears.</p>
          )}
          {pending.global && (
            <p class="warning-line" role="note">
              This selector narrows nothing: it halts every agent{' '}
              {pending.preview.selector.tenantId ? 'of the tenant' : 'of every tenant'}.
            </p>
          )}
          <p class="muted small">
            Reason: {draft.reason.trim()}
            {draft.expiry
              ? ` · expires after ${EXPIRY_OPTIONS.find((o) => o.value === draft.expiry)?.label}`
              : ' · no expiry'}
          </p>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => setPending(null)} data-testid="cancel">
              Cancel
            </button>
            <button
              type="button"
              class="btn btn-danger"
              disabled={busy}
              onClick={() => void confirm()}
              data-testid="confirm"
            >
              Confirm
            </button>
          </div>
        </Modal>
      )}
    </Section>
  );
}

function buildSelectorPreview(f: SelectorFields): string {
  const r = buildSelector(f);
  return r.ok ? `Halts: ${describeSelector(r.selector)}` : '';
}

function SwitchHistory(props: { now: number }) {
  const history = usePagedList<SwitchHistoryEntry>(
    getPage(svc('killswitch', '/v1/killswitches/history'), 'history'),
    [],
    { keyOf: (h) => String(h.seq) },
  );
  // What each switch halts, for the history rows: every switch, followed page by page.
  const all = useLoad(
    () =>
      readPages(
        getPage<KillSwitch>(svc('killswitch', '/v1/killswitches'), 'switches', { state: 'all', limit: 500 }),
        SWITCH_LOOKUP_PAGES,
      ),
    [],
  );
  const byId = new Map((all.data?.items ?? []).map((s) => [s.id, s]));
  return (
    <Section
      title="History"
      id="s-switch-history"
      actions={
        <button
          type="button"
          class="btn btn-small"
          onClick={() => {
            history.reload();
            all.reload();
          }}
        >
          Refresh
        </button>
      }
    >
      <StaleNote loaded={history} />
      {history.error && !history.data ? (
        <SectionProblem error={history.error} what="kill switch history" />
      ) : !history.data ? (
        <Loading />
      ) : history.data.items.length === 0 ? (
        <Empty>No kill switch was ever flipped.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="switch-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Change</th>
                <th scope="col">Switch</th>
                <th scope="col">Halts</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {history.data.items.map((h) => {
                const s = byId.get(h.switchId);
                return (
                  <tr key={h.seq} data-testid="history-row">
                    <td>
                      <Time iso={h.at} now={props.now} absolute />
                    </td>
                    <td>
                      <Badge tone={h.state === 'active' ? 'danger' : 'neutral'}>
                        {h.state === 'active' ? 'flipped' : h.state}
                      </Badge>
                    </td>
                    <td>
                      <code title={h.switchId}>{shortId(h.switchId)}</code>
                    </td>
                    <td>{s ? describeSelector(s.selector) : <span class="muted">—</span>}</td>
                    <td>
                      <code class="actor">{h.actor}</code>
                    </td>
                    <td>{h.reason}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <MorePages list={history} />
        </div>
      )}
    </Section>
  );
}
