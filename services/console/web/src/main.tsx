import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, setUnauthorizedListener } from './api';
import { FeedbackContext, type Feedback, messageOf } from './components/ui';
import { type Page, parseRoute, routeHref } from './lib/route';
import { AuditPage } from './pages/Audit';
import { DataAccessPage } from './pages/DataAccess';
import { EscalationsPage } from './pages/Escalations';
import { KillSwitchesPage } from './pages/KillSwitches';
import { KnowledgePage } from './pages/Knowledge';
import { LoginPage } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { PoliciesPage } from './pages/Policies';
import { TracesPage } from './pages/Traces';
import { RolloutsPage } from './pages/Rollouts';
import type { User } from './types';

/** 16 × 16 stroke icons as SVG paths, drawn inline: no icon font, no network. */
const NAV: { page: Page; label: string; icon: string; roles: string[] }[] = [
  { page: 'overview', label: 'Overview', icon: 'M1.5 8.5h3l2-5 3 9 2-4h3', roles: [] },
  {
    page: 'killswitches',
    label: 'Kill switches',
    icon: 'M8 1.5v6M4.6 3.9a5.2 5.2 0 1 0 6.8 0',
    roles: ['sre', 'admin'],
  },
  {
    page: 'escalations',
    label: 'Escalations',
    icon: 'M3.5 14.5v-13M3.5 2h8.5l-2 3 2 3H3.5',
    roles: ['reviewer', 'lead', 'admin'],
  },
  {
    page: 'audit',
    label: 'Audit',
    icon: 'M3 2.5h10v11H3zM5.5 5.5h5M5.5 8h5M5.5 10.5h3',
    roles: ['auditor', 'admin'],
  },
  {
    page: 'policies',
    label: 'Policies',
    icon: 'M8 1.5l5.5 2v4.2c0 3.2-2.4 5.7-5.5 6.8-3.1-1.1-5.5-3.6-5.5-6.8V3.5z',
    roles: ['policy-admin', 'auditor', 'sre', 'reviewer', 'admin'],
  },
  {
    page: 'knowledge',
    label: 'Knowledge',
    icon: 'M2.5 3.5c2-1 4-1 5.5.5v10c-1.5-1.5-3.5-1.5-5.5-.5zM13.5 3.5c-2-1-4-1-5.5.5v10c1.5-1.5 3.5-1.5 5.5-.5z',
    roles: ['policy-admin', 'auditor', 'sre', 'admin'],
  },
  {
    page: 'traces',
    label: 'Traces',
    icon: 'M1.5 3.5h6M3.5 7h8M5.5 10.5h5M8.5 14h6',
    roles: ['sre', 'auditor', 'policy-admin', 'lead', 'admin'],
  },
  { page: 'rollouts', label: 'Rollouts', icon: 'M2 13.5h12M4 11V7.5M8 11V4.5M12 11V2.5', roles: [] },
  {
    page: 'access',
    label: 'Data access',
    icon: 'M2.5 4c0-1.1 2.5-2 5.5-2s5.5.9 5.5 2-2.5 2-5.5 2-5.5-.9-5.5-2zM2.5 4v8c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2V4M2.5 8c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2',
    roles: [],
  },
];

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

type Session =
  { state: 'checking' } | { state: 'anonymous'; expired?: boolean } | { state: 'signed-in'; user: User };

function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const hash = useHash();
  const route = useMemo(() => parseRoute(hash), [hash]);

  useEffect(() => {
    setUnauthorizedListener(() => setSession({ state: 'anonymous', expired: true }));
    api
      .get<{ user: User }>('/v1/auth/me')
      .then((r) => setSession({ state: 'signed-in', user: r.user }))
      .catch(() => setSession({ state: 'anonymous' }));
  }, []);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 5000);
    return () => clearTimeout(t);
  }, [notice]);

  // A new page starts without the previous page's error.
  useEffect(() => setError(null), [route.page, route.rest.join('/')]);

  const feedback = useMemo<Feedback>(
    () => ({
      error: (e) => {
        setNotice(null);
        setError(messageOf(e));
      },
      notice: (text) => {
        setError(null);
        setNotice(text);
      },
      clear: () => {
        setError(null);
        setNotice(null);
      },
    }),
    [],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/v1/auth/logout');
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) feedback.error(e);
    }
    setSession({ state: 'anonymous' });
  }, [feedback]);

  if (session.state === 'checking')
    return (
      <div class="splash" aria-busy="true">
        Loading AgentOps…
      </div>
    );
  if (session.state === 'anonymous')
    return (
      <LoginPage
        expired={session.expired}
        onSignedIn={(user) => {
          setError(null);
          setSession({ state: 'signed-in', user });
          if (!location.hash || location.hash === '#/' || location.hash === '#/login')
            location.hash = routeHref('overview');
        }}
      />
    );

  const user = session.user;
  const page = route.page;
  return (
    <FeedbackContext.Provider value={feedback}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <div class="shell">
        <header class="topbar">
          <a class="brand" href={routeHref('overview')} aria-label="AgentOps console, overview">
            <span class="logo" aria-hidden="true">
              ◆
            </span>
            AgentOps
          </a>
          <span class="tenant" title="Tenant">
            {user.tenantId === '*' ? 'all tenants' : user.tenantId}
          </span>
          <div class="spacer" />
          <div class="user" data-testid="current-user">
            <span class="user-name">{user.displayName || user.id}</span>
            <span class="roles" aria-label="Roles">
              {user.roles.map((r) => (
                <span class="role-chip" key={r}>
                  {r}
                </span>
              ))}
            </span>
          </div>
          <button type="button" class="btn btn-ghost" onClick={() => void logout()} data-testid="logout">
            Log out
          </button>
        </header>
        <nav class="sidenav" aria-label="Main">
          <ul>
            {NAV.map((n) => {
              const allowed = !n.roles.length || n.roles.some((r) => user.roles.includes(r));
              return (
                <li key={n.page}>
                  <a
                    href={routeHref(n.page)}
                    data-testid={`nav-${n.page}`}
                    aria-current={page === n.page ? 'page' : undefined}
                    class={allowed ? '' : 'restricted'}
                    title={allowed ? undefined : `Needs one of: ${n.roles.join(', ')}`}
                  >
                    <svg class="nav-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
                      <path d={n.icon} />
                    </svg>
                    {n.label}
                    {!allowed && <span class="sr-only"> (your roles may not have access)</span>}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <main id="main" class="content" tabIndex={-1}>
          <div class="feedback" aria-live="polite">
            {error && (
              <div class="banner banner-error" role="alert" data-testid="error">
                <span>{error}</span>
                <button
                  type="button"
                  class="btn-icon"
                  aria-label="Dismiss error"
                  onClick={() => setError(null)}
                >
                  ×
                </button>
              </div>
            )}
            {notice && (
              <div class="banner banner-ok" role="status" data-testid="notice">
                <span>{notice}</span>
                <button
                  type="button"
                  class="btn-icon"
                  aria-label="Dismiss message"
                  onClick={() => setNotice(null)}
                >
                  ×
                </button>
              </div>
            )}
          </div>
          {page === 'overview' && <OverviewPage />}
          {page === 'killswitches' && <KillSwitchesPage user={user} tab={route.rest[0]} />}
          {page === 'escalations' && (
            <EscalationsPage user={user} taskId={route.rest[0]} query={route.query} />
          )}
          {page === 'audit' && (
            <AuditPage
              user={user}
              intentId={route.rest[0] === 'intent' ? route.rest[1] : undefined}
              query={route.query}
            />
          )}
          {page === 'policies' && <PoliciesPage />}
          {page === 'knowledge' && <KnowledgePage user={user} tenant={route.query['tenant']} />}
          {page === 'traces' && <TracesPage rest={route.rest} />}
          {page === 'rollouts' && <RolloutsPage user={user} rolloutId={route.rest[0]} />}
          {page === 'access' && <DataAccessPage agentId={route.query['agentId']} />}
        </main>
      </div>
    </FeedbackContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
