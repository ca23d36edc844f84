import type { AccessAnomalyDetectedV1, AccessBaseline } from '@agentops/contracts';
import { api, svc } from '../api';
import {
  Badge,
  Empty,
  Loading,
  PageHeader,
  Section,
  SectionProblem,
  StaleNote,
  Time,
  useLoad,
  useNow,
} from '../components/ui';
import {
  FEATURE_LABEL,
  approx,
  baselineSource,
  featuresNow,
  quarantinesOf,
  severityTone,
} from '../lib/access';
import { shortId } from '../lib/format';
import { routeHref } from '../lib/route';

/**
 * Data access (issue #17): each agent's baseline per business intent beside what it reads now, the
 * anomalies with their explanation (feature, detector, observed vs baseline, window), and the
 * quarantines they caused. Read-only: a quarantine is released on the Kill switches page.
 */
export function DataAccessPage(props: { agentId?: string }) {
  const now = useNow(5000);
  const query = props.agentId ? { agentId: props.agentId } : {};
  const baselines = useLoad(
    () => api.get<{ baselines: AccessBaseline[] }>(svc('access', '/v1/access/baselines'), query),
    [props.agentId],
    5000,
  );
  const anomalies = useLoad(
    () =>
      api.get<{ anomalies: AccessAnomalyDetectedV1[]; next: string | null }>(
        svc('access', '/v1/access/anomalies'),
        { ...query, limit: 200 },
      ),
    [props.agentId],
    5000,
  );
  return (
    <div class="page" data-testid="page-access">
      <PageHeader
        title="Data access"
        subtitle="What each agent reads per business intent against its baseline; anomalies explained, and the agents they quarantined."
      />
      {props.agentId && (
        <p class="muted">
          Agent <code>{props.agentId}</code> only · <a href={routeHref('access')}>all agents</a>
        </p>
      )}
      <Quarantines anomalies={anomalies} now={now} />
      <Baselines baselines={baselines} />
      <Anomalies anomalies={anomalies} now={now} />
    </div>
  );
}

type Loaded<T> = ReturnType<typeof useLoad<T>>;
type AnomalyPage = { anomalies: AccessAnomalyDetectedV1[]; next: string | null };

function Quarantines(props: { anomalies: Loaded<AnomalyPage>; now: number }) {
  const { data, error } = props.anomalies;
  const quarantines = data ? quarantinesOf(data.anomalies) : [];
  return (
    <Section title="Quarantines" id="s-access-quarantines" testid="access-quarantines">
      {error && !data ? (
        <SectionProblem error={error} what="anomalies" />
      ) : !data ? (
        <Loading />
      ) : quarantines.length === 0 ? (
        <Empty>No agent was quarantined for its data access.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Since</th>
                <th scope="col">Because</th>
                <th scope="col">Kill switch</th>
              </tr>
            </thead>
            <tbody>
              {quarantines.map((q) => (
                <tr key={q.switchId} data-testid="quarantine-row" data-switch-id={q.switchId}>
                  <td>
                    <a href={routeHref('access', [], { agentId: q.agentId })}>
                      <code>{q.agentId}</code>
                    </a>
                  </td>
                  <td class="nowrap">
                    <Time iso={q.since} now={props.now} />
                  </td>
                  <td>
                    {q.anomalies[0]!.message}
                    {q.anomalies.length > 1 && (
                      <span class="muted small"> · and {q.anomalies.length - 1} more</span>
                    )}
                  </td>
                  <td>
                    <a href={routeHref('killswitches')} title="Released by a human on the Kill switches page">
                      <code>{shortId(q.switchId)}</code>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function Baselines(props: { baselines: Loaded<{ baselines: AccessBaseline[] }> }) {
  const { data, error } = props.baselines;
  return (
    <Section title="Baselines and now" id="s-access-baselines" testid="access-baselines">
      <StaleNote loaded={props.baselines} />
      {error && !data ? (
        <SectionProblem error={error} what="baselines" />
      ) : !data ? (
        <Loading />
      ) : data.baselines.length === 0 ? (
        <Empty>No agent has reported data access yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="baseline-table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Judged by</th>
                {(['records', 'subjects', 'reads'] as const).map((f) => (
                  <th scope="col" class="num" key={f}>
                    {FEATURE_LABEL[f]} / intent <span class="muted small">now (usual)</span>
                  </th>
                ))}
                <th scope="col" class="num">
                  Intents now
                </th>
              </tr>
            </thead>
            <tbody>
              {data.baselines.map((b) => (
                <tr key={b.agentId} data-testid="baseline-row" data-agent-id={b.agentId}>
                  <td>
                    <a href={routeHref('access', [], { agentId: b.agentId })}>
                      <code>{b.agentId}</code>
                    </a>
                    <span class="muted small">
                      {' '}
                      {b.role} {b.version}
                    </span>
                    {b.quarantineSwitchId && (
                      <>
                        {' '}
                        <Badge tone="danger" title={`kill switch ${b.quarantineSwitchId}`}>
                          quarantined
                        </Badge>
                      </>
                    )}
                  </td>
                  <td data-testid="baseline-from">{baselineSource(b.from)}</td>
                  {featuresNow(b).map((f) => (
                    <td class="num" key={f.feature} data-testid={`now-${f.feature}`}>
                      {f.tone === 'warning' || f.tone === 'danger' ? (
                        <Badge tone={f.tone} title={`${approx(f.z)} σ above the usual`}>
                          {approx(f.now)}
                        </Badge>
                      ) : (
                        approx(f.now)
                      )}{' '}
                      <span class="muted small">
                        ({f.mean === null ? 'no baseline' : `${approx(f.mean)} ± ${approx(f.sd)}`})
                      </span>
                    </td>
                  ))}
                  <td class="num">{b.now.intents}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function Anomalies(props: { anomalies: Loaded<AnomalyPage>; now: number }) {
  const { data, error } = props.anomalies;
  return (
    <Section title="Anomalies" id="s-access-anomalies" testid="access-anomalies">
      <StaleNote loaded={props.anomalies} />
      {error && !data ? (
        <SectionProblem error={error} what="anomalies" />
      ) : !data ? (
        <Loading />
      ) : data.anomalies.length === 0 ? (
        <Empty>No anomaly: every agent reads as it usually does.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="anomaly-table">
            <thead>
              <tr>
                <th scope="col">Detected</th>
                <th scope="col">Severity</th>
                <th scope="col">Agent</th>
                <th scope="col">What</th>
                <th scope="col" class="num">
                  Observed
                </th>
                <th scope="col" class="num">
                  Baseline
                </th>
                <th scope="col" class="num">
                  Deviation
                </th>
                <th scope="col">Explanation</th>
              </tr>
            </thead>
            <tbody>
              {data.anomalies.map((a) => (
                <tr key={a.anomalyId} data-testid="anomaly-row" data-anomaly-id={a.anomalyId}>
                  <td class="nowrap">
                    <Time iso={a.detectedAt} now={props.now} />
                  </td>
                  <td>
                    <Badge tone={severityTone(a.severity)}>{a.severity}</Badge>
                  </td>
                  <td>
                    <code>{a.agentId}</code>
                  </td>
                  <td data-testid="anomaly-what">
                    {a.feature} · {a.detector}
                  </td>
                  <td class="num">{approx(a.observed)}</td>
                  <td class="num">
                    {approx(a.baseline)} <span class="muted small">({a.baselineFrom})</span>
                  </td>
                  <td class="num">{approx(a.deviation)}</td>
                  <td data-testid="anomaly-message">
                    {a.message}
                    <div class="muted small">
                      window <Time iso={a.window.start} absolute /> – <Time iso={a.window.end} absolute />,{' '}
                      {a.window.intents} intents
                      {a.quarantine && <> · quarantined by switch {shortId(a.quarantine.switchId)}</>}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.next && <p class="muted small">Showing the newest {data.anomalies.length}.</p>}
        </div>
      )}
    </Section>
  );
}
