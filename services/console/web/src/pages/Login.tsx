import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { User } from '../types';

export function LoginPage(props: { onSignedIn: (user: User) => void; expired?: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(
    props.expired ? 'Your session ended; please sign in again.' : null,
  );
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ user: User }>('/v1/auth/login', { username: username.trim(), password });
      props.onSignedIn(r.user);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError('Wrong username or password.');
      else if (err instanceof ApiError && err.status === 429)
        setError(
          `Too many attempts; try again later. ${err.message !== 'HTTP 429' ? err.message : ''}`.trim(),
        );
      else setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <main class="login-page">
      <form class="login-card" data-testid="login-form" onSubmit={(e) => void submit(e)} noValidate>
        <div class="login-brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          <span>AgentOps</span>
        </div>
        <h1>Sign in to the console</h1>
        <p class="muted">Operate, review and audit your tenant's AI agents.</p>
        <div class="field">
          <label for="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error && (
          <p class="form-error" role="alert" data-testid="error">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
