import { useState } from 'preact/hooks';
import { api, getPage, svc } from '../api';
import { MorePages, usePagedList } from '../components/paging';
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
  messageOf,
  useFeedback,
  useLoad,
  useNow,
} from '../components/ui';
import { routeHref } from '../lib/route';
import {
  ACTING_ROLES,
  ACTION_LABEL,
  type RolloutActionName,
  type RolloutDetail,
  type RolloutSummary,
  STATUS_LABEL,
  STATUS_TONE,
  TEST_LABEL,
  TEST_TONE,
  actionConsequence,
  armWeights,
  availableActions,
  decisionLog,
  guardrailRows,
  primaryRows,
  stepLine,
  testSummary,
  variantLine,
  weightLine,
} from '../lib/rollouts';
import type { User } from '../types';

const rolloutsPath = '/v1/rollouts';

/** `#/rollouts` lists the tenant's rollouts; `#/rollouts/<id>` shows one with its analysis. */
export function RolloutsPage(props: { user: User; rolloutId?: string }) {
  return (
    <div class="page" data-testid="page-rollouts">
      <PageHeader
        title="Rollouts"
        subtitle="Canaries and experiments of agent versions, prompts and frameworks; proven harm rolls a candidate back by itself."
      />
      {props.rolloutId ? (
        <RolloutDetailView user={props.user} id={props.rolloutId} />
      ) : (
        <>
          <RolloutList />
          {props.user.roles.some((r) => ACTING_ROLES.includes(r)) && <ApplyRollout />}
        </>
      )}
    </div>
  );
}

/**
 * Applies an `AgentRollout` as `agentops rollout apply -f` does (the same API): a refused one
 * stays in the editor with the fields the service names; an applied one opens.
 */
function ApplyRollout() {
  const feedback = useFeedback();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const apply = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const applied = await api.post<RolloutDetail>(svc('rollout', rolloutsPath), { yaml: text });
      feedback.notice(`${applied.key}: applied`);
      setText('');
      location.hash = routeHref('rollouts', [applied.id]);
    } catch (err) {
      setProblem(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Apply a rollout" id="s-rollout-apply">
      <div class="field">
        <label for="rollout-yaml">AgentRollout (YAML or JSON)</label>
        <textarea
          id="rollout-yaml"
          data-testid="rollout-yaml"
          rows={12}
          spellcheck={false}
          placeholder={'apiVersion: agentops.io/v1\nkind: AgentRollout\nmetadata: { name: … }\nspec: …'}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      {problem && (
        <p class="form-error" role="alert" data-testid="rollout-apply-problem">
          {problem}
        </p>
      )}
      <button
        type="button"
        class="btn btn-primary"
        disabled={busy || !text.trim()}
        onClick={() => void apply()}
        data-testid="rollout-apply"
      >
        Apply
      </button>
    </Section>
  );
}

function RolloutList() {
  const now = useNow(5000);
  const list = usePagedList<RolloutSummary>(getPage(svc('rollout', rolloutsPath), 'rollouts'), [], {
    intervalMs: 5000,
    keyOf: (r) => r.id,
  });
  const { data, error } = list;
  return (
    <Section title="Rollouts" id="s-rollouts">
      <StaleNote loaded={list} />
      {error && !data ? (
        <SectionProblem error={error} what="rollouts" />
      ) : !data ? (
        <Loading />
      ) : data.items.length === 0 ? (
        <Empty>No rollout yet. Apply one with `agentops rollout apply -f rollout.yaml`.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table table-hover" data-testid="rollout-table">
            <thead>
              <tr>
                <th scope="col">Rollout</th>
                <th scope="col">Status</th>
                <th scope="col">Step</th>
                <th scope="col">Weights</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((r) => (
                <tr key={r.id} data-testid="rollout-row" data-rollout-id={r.id} data-status={r.status}>
                  <td>
                    <a class="strong-link" href={routeHref('rollouts', [r.id])}>
                      {r.key}
                    </a>
                    <span class="muted small"> · {r.mode}</span>
                  </td>
                  <td>
                    <Badge tone={STATUS_TONE[r.status]}>{STATUS_LABEL[r.status]}</Badge>
                  </td>
                  <td>{stepLine(r)}</td>
                  <td class="nowrap">{weightLine(r.weights)}</td>
                  <td class="nowrap">
                    <Time iso={r.updatedAt} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <MorePages list={list} />
        </div>
      )}
    </Section>
  );
}

function RolloutDetailView(props: { user: User; id: string }) {
  const now = useNow(5000);
  const loaded = useLoad(
    () => api.get<RolloutDetail>(svc('rollout', `${rolloutsPath}/${encodeURIComponent(props.id)}`)),
    [props.id],
    3000,
  );
  const { data: r, error } = loaded;
  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref('rollouts')}>All rollouts</a>
      </p>
      {error && !r ? (
        <SectionProblem error={error} what="this rollout" />
      ) : !r ? (
        <Loading />
      ) : (
        <div class="stack" data-testid="rollout-detail" data-status={r.status} data-rollout-id={r.id}>
          <StaleNote loaded={loaded} />
          <Section
            title={r.key}
            id="s-rollout-state"
            actions={<RolloutActions user={props.user} rollout={r} onDone={loaded.reload} />}
          >
            <p>
              <Badge tone={STATUS_TONE[r.status]}>
                <span data-testid="rollout-status">{STATUS_LABEL[r.status]}</span>
              </Badge>{' '}
              {r.pausedReason && (
                <span class="muted small">
                  ({r.pausedReason === 'srm' ? 'sample-ratio mismatch' : 'by hand'}){' '}
                </span>
              )}
              <span data-testid="rollout-step">{stepLine(r)}</span>
              <span class="muted small">
                {' '}
                · since <Time iso={r.stepStartedAt} now={now} /> · unit <code>{r.unitPath}</code> · tenant{' '}
                {r.tenantId}
              </span>
            </p>
            <p data-testid="rollout-test-state">{testSummary(r)}</p>
            <div class="table-wrap">
              <table class="table table-dense" data-testid="weights-table">
                <thead>
                  <tr>
                    <th scope="col">Arm</th>
                    <th scope="col">Variant</th>
                    <th scope="col" class="num">
                      Weight
                    </th>
                    <th scope="col" class="num">
                      Decisions
                    </th>
                    <th scope="col" class="num">
                      This step
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {armWeights(r).map((a) => (
                    <tr key={a.arm} data-testid="arm-row" data-arm={a.arm} data-weight={a.weight}>
                      <td>
                        {a.arm}
                        {a.baseline && <span class="muted small"> · baseline</span>}
                      </td>
                      <td>{variantLine([r.baseline, ...r.candidates].find((v) => v.name === a.arm)!)}</td>
                      <td class="num">{a.weight} %</td>
                      <td class="num" data-testid="arm-decisions">
                        {r.analysis.decisions[a.arm] ?? 0}
                      </td>
                      <td class="num">{r.analysis.stepDecisions[a.arm] ?? 0}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {r.halts.length > 0 && (
              <ul class="plain-list" data-testid="rollout-halts">
                {r.halts.map((h) => (
                  <li key={h.variant}>
                    {h.variant} halted:{' '}
                    {h.killSwitchId ? (
                      <a href={routeHref('killswitches')}>
                        kill switch <code>{h.killSwitchId}</code>
                      </a>
                    ) : (
                      <span class="muted">{h.skipped ?? 'kill switch pending'}</span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <GuardrailTable rollout={r} />
          {r.analysis.primary && <PrimaryTable rollout={r} />}
          <DecisionLog rollout={r} />
        </div>
      )}
    </>
  );
}

function GuardrailTable(props: { rollout: RolloutDetail }) {
  const rows = guardrailRows(props.rollout.analysis.guardrails);
  return (
    <Section title="Guardrail KPIs" id="s-rollout-kpis">
      <p class="muted small">
        Effect = candidate − baseline, positive is worse; the interval holds at the rollout’s α ={' '}
        {props.rollout.analysis.alpha} over every look and KPI.
      </p>
      {rows.length === 0 ? (
        <Empty>No candidate is served: nothing is being tested.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table table-dense" data-testid="kpi-table">
            <thead>
              <tr>
                <th scope="col">KPI</th>
                <th scope="col">Arm</th>
                <th scope="col" class="num">
                  Value
                </th>
                <th scope="col" class="num">
                  n
                </th>
                <th scope="col" class="num">
                  Effect
                </th>
                <th scope="col">Interval</th>
                <th scope="col">Test</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr
                  key={row.key}
                  data-testid="kpi-row"
                  data-kpi={row.kpi}
                  data-arm={row.arm}
                  data-test={row.test}
                >
                  <td>{row.title}</td>
                  <td>{row.arm}</td>
                  <td class="num">{row.value}</td>
                  <td class="num">{row.observations}</td>
                  <td class="num">{row.effect ?? ''}</td>
                  <td class="nowrap">{row.interval ?? ''}</td>
                  <td>{row.test && <Badge tone={TEST_TONE[row.test]}>{TEST_LABEL[row.test]}</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function PrimaryTable(props: { rollout: RolloutDetail }) {
  const primary = props.rollout.analysis.primary!;
  return (
    <Section title={`Primary KPI: ${primary.title}`} id="s-rollout-primary">
      <div class="table-wrap">
        <table class="table table-dense" data-testid="primary-table">
          <thead>
            <tr>
              <th scope="col">Arm</th>
              <th scope="col" class="num">
                Value
              </th>
              <th scope="col">Interval</th>
              <th scope="col" class="num">
                n
              </th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {primaryRows(primary).map((row) => (
              <tr key={row.arm} data-testid="primary-row" data-arm={row.arm}>
                <td>{row.arm}</td>
                <td class="num">{row.value}</td>
                <td class="nowrap">{row.interval}</td>
                <td class="num">{row.observations}</td>
                <td>{row.winner ? <Badge tone="v-allow">winner</Badge> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!primary.winner && (
        <p class="muted small">No winner yet: the sequential test has not separated the arms.</p>
      )}
    </Section>
  );
}

function DecisionLog(props: { rollout: RolloutDetail }) {
  const log = decisionLog(props.rollout.transitions);
  return (
    <Section title="Decision log" id="s-rollout-log">
      {log.length === 0 ? (
        <Empty>No transition yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table table-dense" data-testid="decision-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Transition</th>
                <th scope="col">By</th>
                <th scope="col">Weights</th>
                <th scope="col" class="num">
                  Decisions
                </th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {log.map((t, i) => (
                <tr key={`${t.at}-${i}`} data-testid="log-row" data-transition={t.transition}>
                  <td class="nowrap">
                    <Time iso={t.at} absolute />
                  </td>
                  <td>
                    <Badge tone={t.transition === 'rolled_back' ? 'danger' : 'neutral'}>{t.label}</Badge>
                  </td>
                  <td>
                    <code class="actor">{t.automatic ? 'analysis (automatic)' : t.actor}</code>
                  </td>
                  <td class="nowrap">{weightLine(t.weights)}</td>
                  <td class="num">{t.counted}</td>
                  <td>{t.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function RolloutActions(props: { user: User; rollout: RolloutDetail; onDone: () => void }) {
  const feedback = useFeedback();
  const [pending, setPending] = useState<RolloutActionName | null>(null);
  const [reason, setReason] = useState('');
  const [variant, setVariant] = useState('');
  const [busy, setBusy] = useState(false);
  const r = props.rollout;
  const actions = availableActions(r.status, props.user.roles);
  if (!actions.length) return null;

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      const body: Record<string, string> = {};
      if (reason.trim()) body.reason = reason.trim();
      if (pending === 'promote' && (variant || r.candidates.length === 1))
        body.variant = variant || r.candidates[0].name;
      const done = await api.post<RolloutDetail>(
        svc('rollout', `${rolloutsPath}/${encodeURIComponent(r.id)}/${pending}`),
        body,
      );
      feedback.notice(`${r.key}: ${STATUS_LABEL[done.status].toLowerCase()}`);
      props.onDone();
    } catch (err) {
      feedback.error(err);
    } finally {
      setPending(null);
      setReason('');
      setBusy(false);
    }
  };

  return (
    <>
      {actions.map((a) => (
        <button
          key={a}
          type="button"
          class={`btn btn-small ${a === 'rollback' ? 'btn-danger' : ''}`}
          data-testid={`rollout-${a}`}
          onClick={() => setPending(a)}
        >
          {ACTION_LABEL[a]}
        </button>
      ))}
      {pending && (
        <Modal
          title={`${ACTION_LABEL[pending]} ${r.key}`}
          testid="rollout-confirm"
          onClose={() => setPending(null)}
        >
          <p class="confirm-headline">{actionConsequence(pending, r)}</p>
          {pending === 'promote' && r.candidates.length > 1 && (
            <div class="field">
              <label for="rollout-variant">Candidate</label>
              <select
                id="rollout-variant"
                value={variant}
                onChange={(e) => setVariant(e.currentTarget.value)}
              >
                <option value="">Choose…</option>
                {r.candidates.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div class="field">
            <label for="rollout-reason">Reason</label>
            <textarea
              id="rollout-reason"
              rows={2}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </div>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => setPending(null)} data-testid="cancel">
              Cancel
            </button>
            <button
              type="button"
              class={`btn ${pending === 'rollback' ? 'btn-danger' : 'btn-primary'}`}
              disabled={busy}
              onClick={() => void confirm()}
              data-testid="confirm"
            >
              {ACTION_LABEL[pending]}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
