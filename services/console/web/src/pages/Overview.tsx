import { api, getPage, svc } from '../api';
import {
  Badge,
  Empty,
  Loading,
  PageHeader,
  Section,
  SectionProblem,
  StaleNote,
  SlaBadge,
  Sparkline,
  Time,
  VerdictBar,
  useLoad,
  useNow,
} from '../components/ui';
import { summariseQueues } from '../lib/escalations';
import { formatCount, formatRate } from '../lib/format';
import { shownCount } from '../lib/pages';
import { routeHref } from '../lib/route';
import { describeSelector } from '../lib/selector';
import type { BreakerState, KillSwitch, Overview, Task } from '../types';

const POLL_MS = 2000;
const QUEUE_LIMIT = 500;

export function OverviewPage() {
  const now = useNow(1000);
  const overview = useLoad(() => api.get<Overview>('/v1/overview', { windowSeconds: 60 }), [], POLL_MS);
  // First pages only (a live tile, polled every 2 s): a count with more pages behind it says "+".
  const queue = useLoad(
    () =>
      getPage<Task>(svc('escalation', '/v1/escalations'), 'tasks', { status: 'open', limit: QUEUE_LIMIT })(
        undefined,
      ),
    [],
    POLL_MS,
  );
  const switches = useLoad(
    () =>
      getPage<KillSwitch>(svc('killswitch', '/v1/killswitches'), 'switches', { state: 'active' })(undefined),
    [],
    POLL_MS,
  );
  const breakers = useLoad(
    () => api.get<{ states: BreakerState[] }>(svc('killswitch', '/v1/breakers')),
    [],
    POLL_MS,
  );

  const o = overview.data;
  const openBreakers = (breakers.data?.states ?? []).filter((b) => b.state !== 'closed');
  const tasks = queue.data?.items ?? [];
  const queues = summariseQueues(tasks, now);

  return (
    <div class="page" data-testid="page-overview">
      <PageHeader
        title="Overview"
        subtitle={
          <>
            Live over the last {o?.windowSeconds ?? 60} s · refreshes every 2 s
            {o && (
              <>
                {' '}
                · updated <Time iso={o.generatedAt} now={now} />
              </>
            )}
          </>
        }
      />

      <div class="stat-grid">
        <Section title="Traffic" id="s-traffic" class="span-2">
          <StaleNote loaded={overview} />
          {overview.error && !o ? (
            <SectionProblem error={overview.error} what="live traffic" />
          ) : !o ? (
            <Loading />
          ) : (
            <div class="traffic">
              <div class="big-stat">
                <span class="big-number" data-testid="intents-per-second">
                  {formatRate(o.totals.intentsPerSecond)}
                </span>
                <span class="big-unit">intents / s</span>
                <span class="muted small">{formatCount(o.totals.intents)} in the window</span>
              </div>
              <Sparkline
                values={o.perSecond}
                width={320}
                height={64}
                label={`Intents per second, last ${o.windowSeconds} s`}
              />
            </div>
          )}
        </Section>

        <Section title="Escalation queue" id="s-queue">
          <StaleNote loaded={queue} />
          {queue.error && !queue.data ? (
            <SectionProblem error={queue.error} what="escalations" />
          ) : !queue.data ? (
            <Loading />
          ) : (
            <>
              <div class="big-stat">
                <a class="big-number link-quiet" href={routeHref('escalations')} data-testid="queue-depth">
                  {shownCount(tasks.length, queue.data?.next != null)}
                </a>
                <span class="big-unit">open tasks</span>
              </div>
              {queues.length > 0 && (
                <ul class="mini-list">
                  {queues.slice(0, 4).map((q) => (
                    <li key={q.route}>
                      <a href={routeHref('escalations', [], { route: q.route })}>{q.route}</a>
                      <span class="num">{q.count}</span>
                      <SlaBadge state={q.state} />
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </Section>

        <Section title="Containment" id="s-containment">
          <div class="split">
            <div>
              <div class="stat-label">Active kill switches</div>
              <StaleNote loaded={switches} />
              {switches.error && !switches.data ? (
                <SectionProblem error={switches.error} what="kill switches" />
              ) : (
                <a
                  class={`mid-number link-quiet ${switches.data?.items.length ? 'danger' : ''}`}
                  href={routeHref('killswitches')}
                  data-testid="active-switches"
                >
                  {switches.data ? shownCount(switches.data.items.length, switches.data.next !== null) : '…'}
                </a>
              )}
            </div>
            <div>
              <div class="stat-label">Open breakers</div>
              <StaleNote loaded={breakers} />
              {breakers.error && !breakers.data ? (
                <SectionProblem error={breakers.error} what="breakers" />
              ) : (
                <span
                  class={`mid-number ${openBreakers.length ? 'warning' : ''}`}
                  data-testid="open-breakers"
                >
                  {breakers.data ? openBreakers.length : '…'}
                </span>
              )}
            </div>
          </div>
          <ul class="mini-list">
            {(switches.data?.items ?? []).slice(0, 3).map((s) => (
              <li key={s.id}>
                <span class="truncate" title={s.reason}>
                  {describeSelector(s.selector)}
                </span>
                <Time iso={s.flippedAt} now={now} />
              </li>
            ))}
            {openBreakers.slice(0, 3).map((b) => (
              <li key={`${b.breaker}/${b.cohort}`}>
                <span class="truncate">
                  {b.breaker} · {b.cohort}
                </span>
                <Badge tone={b.state === 'open' ? 'danger' : 'warning'}>{b.state.replace('_', '-')}</Badge>
              </li>
            ))}
          </ul>
        </Section>
      </div>

      <div class="grid-1-2">
        <Section title="Verdict mix" id="s-verdicts">
          {overview.error && !o ? (
            <SectionProblem error={overview.error} what="decisions" />
          ) : !o ? (
            <Loading />
          ) : (
            <VerdictBar verdicts={o.totals.verdicts} />
          )}
        </Section>

        <Section title="By agent role" id="s-roles">
          {overview.error && !o ? (
            <SectionProblem error={overview.error} what="decisions" />
          ) : !o ? (
            <Loading />
          ) : o.byRole.length === 0 ? (
            <Empty>No intents in the last {o.windowSeconds} s.</Empty>
          ) : (
            <div class="table-wrap">
              <table class="table" data-testid="by-role">
                <thead>
                  <tr>
                    <th scope="col">Role</th>
                    <th scope="col" class="num">
                      Intents
                    </th>
                    <th scope="col" class="num">
                      Per s
                    </th>
                    <th scope="col" class="num">
                      Allow
                    </th>
                    <th scope="col" class="num">
                      Modify
                    </th>
                    <th scope="col" class="num">
                      Escalate
                    </th>
                    <th scope="col" class="num">
                      Deny
                    </th>
                    <th scope="col">Mix</th>
                  </tr>
                </thead>
                <tbody>
                  {o.byRole.map((r) => (
                    <tr key={r.role} data-role={r.role}>
                      <th scope="row">{r.role}</th>
                      <td class="num">{formatCount(r.intents)}</td>
                      <td class="num">{formatRate(r.intentsPerSecond)}</td>
                      <td class="num">{r.verdicts.allow}</td>
                      <td class="num">{r.verdicts.modify}</td>
                      <td class="num">{r.verdicts.escalate}</td>
                      <td class="num">{r.verdicts.deny}</td>
                      <td class="mix-cell">
                        <VerdictBar verdicts={r.verdicts} compact />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      </div>
    </div>
  );
}
