import { useState } from 'preact/hooks';
import { ApiError, api, getPage, svc } from '../api';
import { MorePages, usePagedList } from '../components/paging';
import {
  Badge,
  Empty,
  KeyValueTable,
  Loading,
  Modal,
  PageHeader,
  Section,
  SectionProblem,
  StaleNote,
  SlaBadge,
  Time,
  useFeedback,
  useLoad,
  messageOf,
  useNow,
} from '../components/ui';
import {
  approvalSummary,
  latestApprovalParams,
  parseParams,
  slaState,
  summariseQueues,
  whyReason,
} from '../lib/escalations';
import { shortId } from '../lib/format';
import { shownCount } from '../lib/pages';
import { routeHref } from '../lib/route';
import type { Task, User } from '../types';

/** Tasks per page (the escalation API's maximum): the queue cards count the first page's. */
const LIST_LIMIT = 500;

export function EscalationsPage(props: { user: User; taskId?: string; query: Record<string, string> }) {
  // Keyed by the task: another task starts with fresh state (no dialog or draft from the last one).
  return props.taskId ? (
    <TaskDetail key={props.taskId} user={props.user} id={props.taskId} />
  ) : (
    <Inbox query={props.query} />
  );
}

function Inbox(props: { query: Record<string, string> }) {
  const now = useNow(5000);
  const status = props.query.status === 'resolved' ? 'resolved' : 'open';
  const route = props.query.route ?? '';
  // The open tasks, for the queue cards (and the task list when no queue is picked).
  const open = usePagedList<Task>(
    getPage(svc('escalation', '/v1/escalations'), 'tasks', { status: 'open', limit: LIST_LIMIT }),
    [],
    { intervalMs: 5000, keyOf: (t) => t.id },
  );
  // One queue, or the resolved tasks: asked of the API, so its pages are what is shown.
  const filtered = status === 'resolved' || route !== '';
  const list = usePagedList<Task>(
    filtered
      ? getPage(svc('escalation', '/v1/escalations'), 'tasks', {
          status,
          route: route || undefined,
          limit: LIST_LIMIT,
        })
      : () => Promise.resolve({ items: [] as Task[], next: null }),
    [status, route],
    { intervalMs: filtered && status === 'open' ? 5000 : undefined, keyOf: (t) => t.id },
  );
  const queues = summariseQueues(open.data?.items ?? [], now);
  const openCapped = open.data?.next != null;
  const source = filtered ? list : open;
  // In the server's order: open soonest due first, resolved most recently resolved first.
  const tasks = source.data?.items ?? [];
  const href = (q: Record<string, string>) => routeHref('escalations', [], { status, route, ...q });

  return (
    <div class="page" data-testid="page-escalations">
      <PageHeader
        title="Escalation inbox"
        subtitle="Intents waiting for a human decision, by queue and deadline."
      />
      {open.error && !open.data ? (
        <Section title="Queues" id="s-queues">
          <SectionProblem error={open.error} what="escalations" />
        </Section>
      ) : (
        <>
          <StaleNote loaded={open} />
          <div class="queue-grid" role="list" aria-label="Queues">
            <a
              role="listitem"
              class={`queue-card ${route === '' ? 'selected' : ''}`}
              href={href({ route: '' })}
              aria-current={route === '' ? 'true' : undefined}
              data-testid="queue-all"
            >
              <span class="queue-name">All queues</span>
              <span
                class="queue-count"
                title={openCapped ? 'at least: more open tasks than one page' : undefined}
              >
                {open.data ? shownCount(open.data.items.length, openCapped) : '…'}
              </span>
              <span class="muted small">open</span>
            </a>
            {queues.map((q) => (
              <a
                role="listitem"
                key={q.route}
                class={`queue-card ${route === q.route ? 'selected' : ''}`}
                href={href({ route: q.route })}
                aria-current={route === q.route ? 'true' : undefined}
                data-testid="queue"
                data-route={q.route}
              >
                <span class="queue-name">{q.route}</span>
                <span
                  class="queue-count"
                  title={openCapped ? 'at least: more open tasks than one page' : undefined}
                >
                  {q.count}
                  {openCapped ? '+' : ''}
                </span>
                <span class="queue-meta">
                  <SlaBadge state={q.state} />
                  {q.overdue > 0 && <span class="small">{q.overdue} overdue</span>}
                  {q.dueSoon > 0 && <span class="small">{q.dueSoon} due soon</span>}
                </span>
                <span class="muted small truncate">{q.groups.join(', ')}</span>
              </a>
            ))}
          </div>
        </>
      )}

      <Section
        title={`${route ? `Tasks in ${route}` : 'Tasks'}${
          source.data ? ` (${shownCount(tasks.length, source.data.next !== null)})` : ''
        }`}
        id="s-tasks"
        actions={
          <nav class="segmented" aria-label="Task status">
            <a href={href({ status: 'open' })} aria-current={status === 'open' ? 'page' : undefined}>
              Open
            </a>
            <a href={href({ status: 'resolved' })} aria-current={status === 'resolved' ? 'page' : undefined}>
              Resolved
            </a>
          </nav>
        }
      >
        <StaleNote loaded={source} />
        {source.error && !source.data ? (
          <SectionProblem error={source.error} what="escalations" />
        ) : !source.data ? (
          <Loading />
        ) : tasks.length === 0 ? (
          <Empty>
            {status === 'open' ? 'Inbox zero: nothing waits for a decision.' : 'No resolved tasks.'}
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="table table-hover" data-testid="task-table">
              <thead>
                <tr>
                  <th scope="col">SLA</th>
                  <th scope="col">Action</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Why</th>
                  <th scope="col">{status === 'open' ? 'Due' : 'Resolved'}</th>
                  <th scope="col">Approvals</th>
                  <th scope="col">Claimed by</th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((t) => (
                  <tr
                    key={t.id}
                    class="clickable"
                    data-testid="task-row"
                    data-task-id={t.id}
                    data-intent-id={t.intentId}
                    onClick={(e) => {
                      if (!(e.target as HTMLElement).closest('a'))
                        location.hash = routeHref('escalations', [t.id]);
                    }}
                  >
                    <td>
                      {t.status === 'open' ? (
                        <SlaBadge state={slaState(t.dueAt, now)} />
                      ) : (
                        <Badge tone={resolutionTone(t.resolution)}>{t.resolution ?? 'resolved'}</Badge>
                      )}
                    </td>
                    <td>
                      <a href={routeHref('escalations', [t.id])} class="strong-link">
                        {t.intent.action}
                      </a>
                      {t.intent.target && (
                        <div class="muted small">
                          {t.intent.target.type} {t.intent.target.id}
                        </div>
                      )}
                    </td>
                    <td>
                      <code>{t.agent.id}</code>
                      {t.agent.role && <div class="muted small">{t.agent.role}</div>}
                    </td>
                    <td>
                      {t.route}
                      <div class="muted small">
                        {t.group} · tier {t.tier}
                      </div>
                    </td>
                    <td class="why">{whyReason(t.reasons)?.message ?? <span class="muted">—</span>}</td>
                    <td>
                      <Time iso={t.status === 'open' ? t.dueAt : t.resolvedAt} now={now} />
                    </td>
                    <td>
                      {new Set(t.approvals.map((a) => a.by)).size}/{t.requiredApprovals}
                      {t.fourEyes && (
                        <span class="muted small" title="Four-eyes: two different reviewers">
                          {' '}
                          4-eyes
                        </span>
                      )}
                    </td>
                    <td>{t.claimedBy ?? <span class="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <MorePages list={source} />
          </div>
        )}
      </Section>
    </div>
  );
}

/** What an approval did: resolved the task, or counted as the first of two. */
function approvedNotice(t: Task): string {
  if (t.status === 'resolved') return `Approved: the task is ${t.resolution ?? 'resolved'}.`;
  const given = t.approvedBy?.length ?? new Set(t.approvals.map((a) => a.by)).size;
  return `Approval recorded (${given} of ${t.requiredApprovals}); a different reviewer must approve too.`;
}

function resolutionTone(resolution: string | null): string {
  if (resolution === 'approved') return 'v-allow';
  if (resolution === 'modified') return 'v-modify';
  if (resolution === 'rejected') return 'v-deny';
  return 'neutral';
}

type Dialog = null | 'reject' | 'changes';

function TaskDetail(props: { user: User; id: string }) {
  const feedback = useFeedback();
  const now = useNow(5000);
  const task = useLoad(() => api.get<Task>(svc('escalation', `/v1/escalations/${props.id}`)), [props.id]);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [comment, setComment] = useState('');
  const [paramsText, setParamsText] = useState('');
  // Shown inside the open dialog (the page's banner sits under the modal backdrop): `refusal` for
  // params the guardrail or the parser refused, `dialogError` for anything else (409, 403, …).
  const [refusal, setRefusal] = useState<string | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [newComment, setNewComment] = useState('');
  const [busy, setBusy] = useState(false);

  const t = task.data;
  const act = async (what: string, path: string, body: unknown, done: string | ((t: Task) => string)) => {
    setBusy(true);
    const inDialog = what === 'reject' || what === 'changes';
    try {
      const after = await api.post<Task>(svc('escalation', `/v1/escalations/${props.id}/${path}`), body);
      feedback.notice(typeof done === 'string' ? done : done(after));
      setDialog(null);
      setRefusal(null);
      setDialogError(null);
      task.reload();
      return true;
    } catch (e) {
      if (what === 'changes' && e instanceof ApiError && e.status === 422) {
        setRefusal(e.message);
        setDialogError(null);
      } else if (inDialog) {
        setRefusal(null);
        setDialogError(messageOf(e));
      } else feedback.error(e);
      // Someone else may have claimed, approved or resolved it meanwhile: show the task as it is now.
      task.reload();
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (task.error && !t)
    return (
      <div class="page">
        <Breadcrumb id={props.id} />
        <Section title="Escalation" id="s-task">
          <SectionProblem error={task.error} what="this escalation" />
        </Section>
      </div>
    );
  if (!t)
    return (
      <div class="page">
        <Breadcrumb id={props.id} />
        <Loading />
      </div>
    );

  const approvals = approvalSummary(t, props.user.id);
  const open = t.status === 'open';
  const sla = slaState(t.dueAt, now);
  // The server finalises with the latest approver's edit: start "with changes" from it.
  const approvedEdit = latestApprovalParams(t.approvals);
  const editedBy = approvedEdit ? [...t.approvals].reverse().find((a) => a.params)?.by : undefined;
  const openDialog = (d: Dialog) => {
    setComment('');
    setRefusal(null);
    setDialogError(null);
    if (d === 'changes')
      setParamsText(JSON.stringify(approvedEdit ?? t.suggestedParams ?? t.intent.params ?? {}, null, 2));
    setDialog(d);
  };

  return (
    <div class="page" data-testid="task-detail" data-task-id={t.id} data-intent-id={t.intentId}>
      <Breadcrumb id={t.id} />
      <PageHeader
        title={t.intent.action}
        subtitle={
          <>
            {t.intent.target && (
              <>
                {t.intent.target.type} <code>{t.intent.target.id}</code> ·{' '}
              </>
            )}
            agent <code>{t.agent.id}</code> · queue {t.route} ({t.group}, tier {t.tier})
            {t.decidingGroups?.length ? <> · decided by {t.decidingGroups.join(' or ')}</> : null}
          </>
        }
        actions={
          <div class="status-line">
            {open ? (
              <SlaBadge state={sla} />
            ) : (
              <Badge tone={resolutionTone(t.resolution)}>{t.resolution}</Badge>
            )}
            {open && t.dueAt && (
              <span class="small">
                due <Time iso={t.dueAt} now={now} />
              </span>
            )}
          </div>
        }
      />

      <div class="toolbar" role="toolbar" aria-label="Decision">
        <button
          type="button"
          class="btn"
          data-testid="claim"
          disabled={!open || busy || t.claimedBy === props.user.id}
          onClick={() => void act('claim', 'claim', {}, 'Claimed: the task is yours.')}
        >
          {t.claimedBy === props.user.id ? 'Claimed by you' : 'Claim'}
        </button>
        <button
          type="button"
          class="btn btn-success"
          data-testid="approve"
          disabled={!open || busy || !approvals.canApprove}
          title={approvals.blockedBecause}
          onClick={() => void act('approve', 'approve', {}, approvedNotice)}
        >
          Approve
        </button>
        <button
          type="button"
          class="btn"
          data-testid="approve-with-changes"
          disabled={!open || busy || !approvals.canApprove}
          title={approvals.blockedBecause}
          onClick={() => openDialog('changes')}
        >
          Approve with changes
        </button>
        <button
          type="button"
          class="btn btn-danger"
          data-testid="reject"
          disabled={!open || busy}
          onClick={() => openDialog('reject')}
        >
          Reject
        </button>
        <span class="toolbar-note" data-testid="four-eyes">
          {approvals.text}
          {open && approvals.blockedBecause && <span class="muted"> · {approvals.blockedBecause}</span>}
          {open && editedBy && (
            <span class="muted"> · approving keeps the parameters {editedBy} approved</span>
          )}
        </span>
      </div>

      <div class="grid-main-side">
        <div class="stack">
          <Section title="Intent" id="s-intent">
            <dl class="facts">
              <dt>Action</dt>
              <dd>
                <code>{t.intent.action}</code>
              </dd>
              <dt>Target</dt>
              <dd>{t.intent.target ? `${t.intent.target.type} ${t.intent.target.id}` : '—'}</dd>
              <dt>Confidence</dt>
              <dd>
                {t.intent.confidence === undefined ? (
                  '—'
                ) : (
                  <span class={t.intent.confidence < 0.7 ? 'warning-text' : ''}>
                    {Math.round(t.intent.confidence * 100)}%
                  </span>
                )}
              </dd>
              <dt>Proposed</dt>
              <dd>
                <Time iso={t.intent.proposedAt ?? t.createdAt} now={now} />
              </dd>
              <dt>Intent id</dt>
              <dd>
                <a
                  href={routeHref('audit', ['intent', t.intentId])}
                  title="The story of this intent in the audit log"
                >
                  <code>{t.intentId}</code>
                </a>
              </dd>
            </dl>
            <h3>Justification</h3>
            <blockquote class="justification">{t.intent.justification ?? '—'}</blockquote>
            <h3>Parameters</h3>
            <KeyValueTable value={t.intent.params} caption="Parameters" />
            {t.suggestedParams && (
              <>
                <h3>Suggested change</h3>
                <KeyValueTable value={t.suggestedParams} caption="Suggested parameters" />
              </>
            )}
            <h3>Data used</h3>
            {t.intent.dataUsed?.length ? (
              <ul class="plain-list">
                {t.intent.dataUsed.map((d, i) => (
                  <li key={i}>
                    <strong>{d.source}</strong>
                    {d.ref && <code> {d.ref}</code>}
                    {d.records !== undefined && <span class="muted"> · {d.records} records</span>}
                    {d.dataClasses?.length ? <span class="muted"> · {d.dataClasses.join(', ')}</span> : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">None declared.</p>
            )}
          </Section>

          <Section title="Why it was escalated" id="s-reasons">
            {t.reasons.length === 0 ? (
              <p class="muted">No reason recorded.</p>
            ) : (
              <>
                <ReasonList reasons={t.reasons.filter((r) => r.effect !== 'allow')} />
                {t.reasons.some((r) => r.effect === 'allow') && (
                  <details class="passed">
                    <summary>
                      {t.reasons.filter((r) => r.effect === 'allow').length} other policies passed
                    </summary>
                    <ReasonList reasons={t.reasons.filter((r) => r.effect === 'allow')} />
                  </details>
                )}
              </>
            )}
          </Section>

          <Section title="Comments" id="s-comments">
            {t.comments.length === 0 ? (
              <p class="muted">No comments yet.</p>
            ) : (
              <ol class="comments">
                {t.comments.map((c, i) => (
                  <li key={i} data-testid="comment">
                    <div class="comment-head">
                      <strong>{c.by}</strong> <Time iso={c.at} now={now} />
                    </div>
                    <p>{c.text}</p>
                  </li>
                ))}
              </ol>
            )}
            <form
              class="comment-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (!newComment.trim()) return;
                void act('comment', 'comments', { text: newComment.trim() }, 'Comment added.').then(
                  (ok) => ok && setNewComment(''),
                );
              }}
            >
              <label for="new-comment">Add a comment</label>
              <textarea
                id="new-comment"
                rows={2}
                value={newComment}
                onInput={(e) => setNewComment(e.currentTarget.value)}
              />
              <button type="submit" class="btn btn-small" disabled={busy || !newComment.trim()}>
                Comment
              </button>
            </form>
          </Section>
        </div>

        <div class="stack">
          <Section title="Agent" id="s-agent">
            <dl class="facts">
              <dt>Id</dt>
              <dd>
                <code>{t.agent.id}</code>
              </dd>
              <dt>Role</dt>
              <dd>{t.agent.role ?? '—'}</dd>
              <dt>Owner</dt>
              <dd>{t.agent.owner ?? '—'}</dd>
              <dt>Team</dt>
              <dd>{t.agent.ownerTeam ?? '—'}</dd>
              <dt>Tenant</dt>
              <dd>{t.tenantId}</dd>
            </dl>
            {Object.keys(t.agent.labels).length > 0 && (
              <KeyValueTable value={t.agent.labels} caption="Labels" />
            )}
          </Section>
          <Section title="Review" id="s-review">
            <dl class="facts">
              <dt>Approvals</dt>
              <dd>{approvals.text}</dd>
              <dt>Claimed by</dt>
              <dd>{t.claimedBy ?? '—'}</dd>
              <dt>Created</dt>
              <dd>
                <Time iso={t.createdAt} now={now} />
              </dd>
              {t.resolvedAt && (
                <>
                  <dt>Resolved</dt>
                  <dd>
                    <Time iso={t.resolvedAt} now={now} /> ({t.resolution})
                  </dd>
                </>
              )}
            </dl>
            {t.approvals.length > 0 && (
              <ul class="plain-list">
                {t.approvals.map((a, i) => (
                  <li key={i}>
                    Approved by <strong>{a.by}</strong> <Time iso={a.at} now={now} />
                    {a.params && <span class="muted"> · with changes:</span>}
                    {a.comment && <div class="muted small">“{a.comment}”</div>}
                    {a.params && (
                      <KeyValueTable value={a.params} caption={`Parameters approved by ${a.by}`} />
                    )}
                  </li>
                ))}
              </ul>
            )}
            {t.history.length > 0 && (
              <>
                <h3>History</h3>
                <ol class="history">
                  {t.history.map((h, i) => (
                    <li key={i}>
                      <Time iso={h.at} now={now} /> <strong>{h.by}</strong> {h.what}
                    </li>
                  ))}
                </ol>
              </>
            )}
          </Section>
        </div>
      </div>

      {dialog === 'reject' && (
        <Modal title="Reject this intent" testid="reject-dialog" onClose={() => setDialog(null)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act('reject', 'reject', comment.trim() ? { comment: comment.trim() } : {}, 'Rejected.');
            }}
          >
            <p>The agent is told no; the intent is denied.</p>
            <CommentField value={comment} onInput={setComment} />
            <DialogError message={dialogError} />
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={() => setDialog(null)} data-testid="cancel">
                Cancel
              </button>
              <button type="submit" class="btn btn-danger" disabled={busy || !open} data-testid="confirm">
                Reject
              </button>
            </div>
          </form>
        </Modal>
      )}
      {dialog === 'changes' && (
        <Modal title="Approve with changes" testid="changes-dialog" wide onClose={() => setDialog(null)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const parsed = parseParams(paramsText);
              if (!parsed.ok) {
                setRefusal(parsed.message);
                setDialogError(null);
                return;
              }
              void act(
                'changes',
                'approve',
                { params: parsed.params, ...(comment.trim() ? { comment: comment.trim() } : {}) },
                'Approved with changes.',
              );
            }}
          >
            <p>
              Edit the parameters the agent must use. The edit is re-checked by the guardrail before it
              counts.
              {editedBy && <> These start from the parameters {editedBy} approved.</>}
            </p>
            <div class="field">
              <label for="changes-params">Parameters (JSON)</label>
              <textarea
                id="changes-params"
                class="code"
                rows={10}
                spellcheck={false}
                value={paramsText}
                aria-invalid={refusal ? true : undefined}
                aria-describedby={refusal ? 'changes-refusal' : undefined}
                onInput={(e) => setParamsText(e.currentTarget.value)}
              />
            </div>
            {refusal && (
              <p id="changes-refusal" class="form-error" data-testid="changes-refusal">
                {refusal}
              </p>
            )}
            <CommentField value={comment} onInput={setComment} />
            <DialogError message={dialogError} />
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={() => setDialog(null)} data-testid="cancel">
                Cancel
              </button>
              <button
                type="submit"
                class="btn btn-success"
                disabled={busy || !approvals.canApprove}
                title={approvals.blockedBecause}
                data-testid="confirm"
              >
                Approve with changes
              </button>
            </div>
          </form>
        </Modal>
      )}
    </div>
  );
}

function ReasonList(props: { reasons: Task['reasons'] }) {
  return (
    <ul class="reasons">
      {props.reasons.map((r, i) => (
        <li key={i} data-testid="reason">
          <div>
            <code class="policy-id">{r.policyId}</code>
            <span class="muted small"> v{r.policyVersion}</span>{' '}
            <Badge tone={`v-${r.effect}`}>{r.effect}</Badge>
            {r.mode === 'shadow' && <Badge tone="shadow">shadow</Badge>}
          </div>
          <div>{r.message}</div>
        </li>
      ))}
    </ul>
  );
}

function DialogError(props: { message: string | null }) {
  if (!props.message) return null;
  return (
    <p class="form-error" role="alert" data-testid="dialog-error">
      {props.message}
    </p>
  );
}

function CommentField(props: { value: string; onInput: (v: string) => void }) {
  return (
    <div class="field">
      <label for="decision-comment">Comment (optional)</label>
      <textarea
        id="decision-comment"
        rows={2}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </div>
  );
}

function Breadcrumb(props: { id: string }) {
  return (
    <nav class="breadcrumb" aria-label="Breadcrumb">
      <a href={routeHref('escalations')}>Escalations</a> <span aria-hidden="true">›</span>{' '}
      <span aria-current="page">
        <code>{shortId(props.id)}</code>
      </span>
    </nav>
  );
}
