import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage, request, setToken } from '../api';
import { formatDateTime } from '../shared/format';
import { type Session, SessionBar, SignedIn } from '../shared/session';
import { shared } from '../shared/strings';
import { t } from './strings';

interface OwnToken {
  id: string;
  name: string | null;
  kind: 'session' | 'api';
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  current: boolean;
}

interface NewToken {
  id: string;
  name: string | null;
  token: string;
  expires_at: string | null;
}

function tokenName(token: OwnToken): string {
  if (token.kind === 'session') return token.current ? t.tokens.thisSession : t.tokens.session;
  return token.name ?? t.tokens.unnamed;
}

/** A failure of a signed-in action: a lost sign-in goes back to the sign-in form, the rest is shown. */
function useFailure(session: Session): [string, (error: unknown) => void, () => void] {
  const [message, setMessage] = useState('');
  const { authLost } = session;
  // Both stay the same between renders, so a loader that uses them is not run again on every render.
  const fail = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) authLost();
      else setMessage(errorMessage(error, shared.errors));
    },
    [authLost],
  );
  const clear = useCallback(() => setMessage(''), []);
  return [message, fail, clear];
}

/** The new token, shown once: Tally keeps only its hash, and the page forgets it once copied. */
function NewTokenNotice(props: { created: NewToken; onDone: () => void }) {
  const { created } = props;
  const [copied, setCopied] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(t.create.copied);
    } catch {
      setCopied(t.create.copyByHand);
    }
  };
  return (
    <section class="notice notice-success new-token" aria-labelledby="new-token-heading">
      <h3 id="new-token-heading" ref={heading} tabIndex={-1}>
        {t.create.shownOnce(created.name ?? t.tokens.unnamed)}
      </h3>
      <div class="new-token-row">
        <code class="token">{created.token}</code>
        <button type="button" class="secondary" onClick={() => void copy()}>
          {t.create.copy}
        </button>
      </div>
      <p aria-live="polite">{copied}</p>
      <p>{t.create.usage}</p>
      <button type="button" onClick={props.onDone}>
        {t.create.done}
      </button>
    </section>
  );
}

function CreateTokenForm(props: { session: Session; onCreated: (created: NewToken) => void }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, fail, clear] = useFailure(props.session);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    clear();
    try {
      const body = { name, ...(days ? { expires_in_days: Number(days) } : {}) };
      props.onCreated(await request<NewToken>('/api/v1/tokens', { method: 'POST', body }));
      setName('');
      setDays('');
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby="create-heading">
      <h3 id="create-heading">{t.create.heading}</h3>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div class="field">
        <label for="token-name">{t.create.name}</label>
        <input
          id="token-name"
          required
          maxLength={120}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="token-days">{t.create.days}</label>
        <input
          id="token-days"
          type="number"
          min={1}
          max={3650}
          aria-describedby="token-days-hint"
          value={days}
          onInput={(e) => setDays(e.currentTarget.value)}
        />
        <p id="token-days-hint" class="muted">
          {t.create.daysHint}
        </p>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? t.create.creating : t.create.submit}
      </button>
    </form>
  );
}

function TokensSection({ session }: { session: Session }) {
  const [tokens, setTokens] = useState<OwnToken[] | null>(null);
  const [notice, setNotice] = useState('');
  const [created, setCreated] = useState<NewToken | null>(null);
  const [error, fail, clear] = useFailure(session);

  const load = useCallback(async () => {
    clear();
    try {
      setTokens((await request<{ items: OwnToken[] }>('/api/v1/tokens')).items);
    } catch (err) {
      fail(err);
    }
  }, [fail, clear]);
  useEffect(() => void load(), [load]);

  const revoke = async (token: OwnToken) => {
    setNotice('');
    clear();
    try {
      await request(`/api/v1/tokens/${encodeURIComponent(token.id)}`, { method: 'DELETE' });
      setNotice(t.tokens.revoked(tokenName(token)));
      await load();
    } catch (err) {
      fail(err);
    }
  };

  const signOutEverywhere = async () => {
    try {
      await request('/api/v1/tokens', { method: 'DELETE' });
      await session.signOut();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">{t.tokens.heading}</h2>
      <p class="muted">{t.tokens.lead}</p>
      <div aria-live="polite">{notice && <p class="notice notice-success">{notice}</p>}</div>
      {error && (
        <div class="notice notice-error" role="alert">
          <p>{error}</p>
          <button type="button" class="secondary" onClick={() => void load()}>
            {t.retry}
          </button>
        </div>
      )}
      {tokens === null && !error && <p class="muted">{t.loading}</p>}
      {tokens?.length === 0 && <p class="muted">{t.tokens.empty}</p>}
      {tokens && tokens.length > 0 && (
        <ul class="token-list">
          {tokens.map((token) => (
            <li class="token-item" key={token.id} data-token-id={token.id}>
              <div>
                <strong>{tokenName(token)}</strong>
                <div class="facts-line muted">
                  {[
                    t.tokens.created(formatDateTime(token.created_at)),
                    token.expires_at ? t.tokens.expires(formatDateTime(token.expires_at)) : t.tokens.never,
                    token.last_used_at
                      ? t.tokens.lastUsed(formatDateTime(token.last_used_at))
                      : t.tokens.neverUsed,
                  ].join(' · ')}
                </div>
              </div>
              {!token.current && (
                <button
                  type="button"
                  class="secondary"
                  aria-label={t.tokens.revokeLabel(tokenName(token))}
                  onClick={() => void revoke(token)}
                >
                  {t.tokens.revoke}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {created ? (
        <NewTokenNotice created={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateTokenForm
          session={session}
          onCreated={(made) => {
            setCreated(made);
            void load();
          }}
        />
      )}
      <div class="actions">
        <button type="button" class="danger" onClick={() => void signOutEverywhere()}>
          {t.tokens.everywhere}
        </button>
        <span class="muted">{t.tokens.everywhereHint}</span>
      </div>
    </section>
  );
}

function PasswordSection({ session }: { session: Session }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    setDone(false);
    try {
      const answer = await request<{ token: string }>('/api/v1/auth/password', {
        method: 'POST',
        body: { current_password: current, new_password: next },
      });
      // Every earlier token ended, the one this page holds included; the answer's session replaces it.
      setToken(answer.token);
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) session.authLost();
      else if (err instanceof ApiError && err.code === 'wrong_password') setError(t.password.wrong);
      else setError(errorMessage(err, shared.errors));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">{t.password.heading}</h2>
      <div aria-live="polite">{done && <p class="notice notice-success">{t.password.changed}</p>}</div>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <input type="email" autocomplete="username" hidden value={session.user.email} readOnly />
        <div class="field">
          <label for="current-password">{t.password.current}</label>
          <input
            id="current-password"
            type="password"
            autocomplete="current-password"
            required
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="new-password">{t.password.next}</label>
          <input
            id="new-password"
            type="password"
            autocomplete="new-password"
            required
            minLength={10}
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? t.password.changing : t.password.submit}
        </button>
      </form>
    </section>
  );
}

/** Any signed-in person's own account: their sessions and API tokens, and their password. */
function AccountPage({ session }: { session: Session }) {
  return (
    <>
      <h1>{t.heading}</h1>
      <SessionBar session={session} />
      <TokensSection session={session} />
      <PasswordSection session={session} />
    </>
  );
}

render(
  <SignedIn heading={t.loginHeading} lead={t.loginLead}>
    {(session) => <AccountPage session={session} />}
  </SignedIn>,
  document.getElementById('app') as HTMLElement,
);
