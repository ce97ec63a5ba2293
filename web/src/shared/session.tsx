/**
 * Signing in, for the pages that need an account (volunteers, sensor owners). The server sets an httpOnly
 * session cookie at login, so a reload keeps the person signed in: the page asks `/api/v1/auth/me` who they
 * are, and shows the sign-in form only when nobody is.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, setToken } from '../api';
import type { User } from '../types';
import { shared } from './strings';

const texts = shared.session;

/** What a signed-in page needs to know and do about its session. */
export interface Session {
  user: User;
  /** A request came back 401: the session ended elsewhere (expired, signed out in another tab). */
  authLost: () => void;
  signOut: () => Promise<void>;
}

function SignInForm(props: {
  heading: string;
  lead: string;
  notice: string;
  onSignedIn: (user: User) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const answer = await api.post<{ token?: string; user?: User }>('/api/v1/auth/login', {
        email,
        password,
      });
      setToken(answer.token);
      const user = answer.user ?? (await api.get<{ user: User }>('/api/v1/auth/me')).user;
      props.onSignedIn(user);
    } catch (err) {
      setError(
        err instanceof ApiError && (err.status === 401 || err.status === 400)
          ? texts.badLogin
          : errorMessage(err, shared.errors),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="login" aria-labelledby="login-heading">
      <h1 id="login-heading">{props.heading}</h1>
      <p class="lead">{props.lead}</p>
      {props.notice && <p class="notice notice-info">{props.notice}</p>}
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <div class="field">
          <label for="email">{texts.email}</label>
          <input
            id="email"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="password">{texts.password}</label>
          <input
            id="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? texts.signingIn : texts.signIn}
        </button>
      </form>
    </section>
  );
}

/** "Signed in as …" and the way out. */
export function SessionBar({ session }: { session: Session }) {
  const { user } = session;
  return (
    <div class="session">
      <span>{texts.signedInAs(user.display_name || user.email, user.role)}</span>
      <button type="button" class="link" onClick={() => void session.signOut()}>
        {texts.signOut}
      </button>
    </div>
  );
}

/**
 * The page's content for a signed-in person, or what stands before it: the session check, the sign-in form,
 * or a failure to reach the server with a way to try again.
 */
export function SignedIn(props: {
  heading: string;
  lead: string;
  children: (session: Session) => ComponentChildren;
}) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setError('');
    api
      .get<{ user: User }>('/api/v1/auth/me')
      .then((answer) => setUser(answer.user ?? null))
      .catch((err: unknown) => {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) setUser(null);
        else setError(errorMessage(err, shared.errors));
      });
  }, [attempt]);

  const authLost = useCallback(() => {
    setToken(undefined);
    setNotice(texts.sessionExpired);
    setUser(null);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout');
    } catch {
      // Signing out locally still helps on a shared computer even if the server did not hear it.
    }
    setToken(undefined);
    setNotice('');
    setUser(null);
  }, []);

  if (error) {
    return (
      <div class="notice notice-error" role="alert">
        <p>{error}</p>
        <button type="button" class="secondary" onClick={() => setAttempt((n) => n + 1)}>
          {texts.retry}
        </button>
      </div>
    );
  }
  if (user === undefined) return <p class="muted">{texts.checking}</p>;
  if (user === null) {
    return (
      <SignInForm
        heading={props.heading}
        lead={props.lead}
        notice={notice}
        onSignedIn={(signedIn) => {
          setNotice('');
          setUser(signedIn);
        }}
      />
    );
  }
  return <>{props.children({ user, authLost, signOut })}</>;
}
