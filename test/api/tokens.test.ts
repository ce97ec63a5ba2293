import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type App, buildApp } from '../../src/app.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { createServices } from '../../src/services.js';
import { buildTestApp, type TestApp, testConfig, testPassword } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { ledgerEntries } from '../helpers/ledger.js';
import { assertProblem } from '../helpers/reports.js';

interface OwnTokenJson {
  id: string;
  name: string | null;
  kind: 'session' | 'api';
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  current: boolean;
}

interface NewTokenJson {
  id: string;
  name: string | null;
  kind: 'api';
  token: string;
  expires_at: string | null;
}

interface Person {
  email: string;
  session: string;
  headers: { authorization: string };
}

let people = 0;

const never = (): Promise<never> => Promise.reject(new Error('not used here'));

/** A new account of that role, signed in: its session token as a bearer header. */
async function signedIn(t: TestApp, role: 'reporter' | 'volunteer' | 'admin' = 'volunteer'): Promise<Person> {
  people += 1;
  const email = `person-${people}-${Date.now()}@example.org`;
  await t.services.accounts.addUser({ email, password: testPassword, role });
  const session = (await t.services.accounts.login(email, testPassword)).token;
  return { email, session, headers: { authorization: `Bearer ${session}` } };
}

async function createToken(app: App, headers: Record<string, string>, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload: body });
}

async function newToken(app: App, person: Person, body: Record<string, unknown> = {}): Promise<NewTokenJson> {
  const response = await createToken(app, person.headers, { name: 'Nightly import', ...body });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<NewTokenJson>();
}

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

async function me(app: App, token: string) {
  return app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
}

async function listTokens(app: App, headers: Record<string, string>): Promise<OwnTokenJson[]> {
  const response = await app.inject({ url: '/api/v1/tokens', headers });
  assert.equal(response.statusCode, 200, response.body);
  const page = response.json<{ items: OwnTokenJson[]; next_cursor: null }>();
  assert.equal(page.next_cursor, null);
  return page.items;
}

forEachDatabase('API tokens', (open) => {
  test('listing my tokens shows my session and tokens but never a token or its hash', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    const response = await t.app.inject({ url: '/api/v1/tokens', headers: amina.headers });
    assert.equal(response.statusCode, 200);
    assert.ok(!response.body.includes(created.token), 'the API token is in the list');
    assert.ok(!response.body.includes(amina.session), 'the session token is in the list');
    assert.doesNotMatch(response.body, /token_hash|"token"|[0-9a-f]{64}/);
    const items = response.json<{ items: OwnTokenJson[] }>().items;
    assert.deepEqual(
      items.map((item) => ({ kind: item.kind, name: item.name, current: item.current })),
      [
        { kind: 'api', name: 'Nightly import', current: false },
        { kind: 'session', name: null, current: true },
      ],
    );
  });

  test('a token lists when it was last used', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    assert.equal((await me(t.app, created.token)).statusCode, 200);
    const listed = (await listTokens(t.app, amina.headers)).find((item) => item.id === created.id);
    assert.ok(listed?.last_used_at, 'last_used_at was not set');
  });

  test('creating a token answers 201 with the token once, and it authenticates as me', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    assert.match(created.token, /^tly_/);
    assert.equal(created.kind, 'api');
    assert.equal(created.expires_at, null);
    const answer = await me(t.app, created.token);
    assert.equal(answer.json<{ user: { email: string } }>().user.email, amina.email);
  });

  test('a revoked token answers 401 at once', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${created.id}`,
      headers: amina.headers,
    });
    assert.equal(revoked.statusCode, 204);
    assertProblem(await me(t.app, created.token), 401, 'unauthenticated');
    assert.ok(!(await listTokens(t.app, amina.headers)).some((item) => item.id === created.id));
  });

  test("revoking someone else's token is 404 token_not_found and leaves it working", async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const baraka = await signedIn(t, 'admin');
    const created = await newToken(t.app, amina);
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${created.id}`,
      headers: baraka.headers,
    });
    assertProblem(response, 404, 'token_not_found');
    assert.equal((await me(t.app, created.token)).statusCode, 200);
  });

  test('revoking a token that never existed is the same 404 token_not_found', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const response = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/tokens/01936f1e-0000-7000-8000-000000000000',
      headers: amina.headers,
    });
    assertProblem(response, 404, 'token_not_found');
  });

  test('an API token cannot create a token: 403 token_cannot_mint', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    const response = await createToken(t.app, bearer(created.token), { name: 'successor' });
    assertProblem(response, 403, 'token_cannot_mint');
  });

  test('an API token cannot create a token at the older path either', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: bearer(created.token),
      payload: { name: 'successor' },
    });
    assertProblem(response, 403, 'token_cannot_mint');
  });

  test('an API token may list and revoke its owner’s tokens', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const script = await newToken(t.app, amina, { name: 'script' });
    const other = await newToken(t.app, amina, { name: 'other' });
    assert.equal((await listTokens(t.app, bearer(script.token))).length, 3);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${other.id}`,
      headers: bearer(script.token),
    });
    assert.equal(revoked.statusCode, 204);
  });

  test('creating a token without signing in is 401 unauthenticated', async () => {
    const t = await buildTestApp(await open());
    assertProblem(await createToken(t.app, {}, { name: 'script' }), 401, 'unauthenticated');
  });

  test('listing tokens without signing in is 401 unauthenticated', async () => {
    const t = await buildTestApp(await open());
    assertProblem(await t.app.inject({ url: '/api/v1/tokens' }), 401, 'unauthenticated');
  });

  test('a reporter account manages its own tokens too', async () => {
    const t = await buildTestApp(await open());
    const reporter = await signedIn(t, 'reporter');
    const created = await newToken(t.app, reporter);
    assert.equal((await me(t.app, created.token)).statusCode, 200);
  });

  test('a token given expires_in_days ends that many days from now', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina, { expires_in_days: 30 });
    assert.ok(created.expires_at);
    const days = (Date.parse(created.expires_at) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
  });

  test('an expired token answers 401 and is no longer listed', async () => {
    const db = await open();
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const config = testConfig();
    const services = await createServices(db, clock, config);
    const app = await buildApp(config, { db, services, logger: false });
    const amina = await signedIn({ app, services, db, tokenFor: never, as: never });
    const created = await newToken(app, amina, { expires_in_days: 1 });
    assert.equal((await me(app, created.token)).statusCode, 200);
    offsetMs = 86_400_000 + 1000;
    assertProblem(await me(app, created.token), 401, 'unauthenticated');
    assert.ok(!(await listTokens(app, amina.headers)).some((item) => item.id === created.id));
  });

  test('an expiry in the past is refused with 400 validation_failed', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const response = await createToken(t.app, amina.headers, {
      name: 'script',
      expires_at: '2020-01-01T00:00:00Z',
    });
    assertProblem(response, 400, 'validation_failed');
  });

  test('an expiry that is not a date is refused with 400 validation_failed', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const response = await createToken(t.app, amina.headers, { name: 'script', expires_at: 'tomorrow' });
    assertProblem(response, 400, 'validation_failed');
  });

  test('expires_in_days and expires_at together are refused with 400 validation_failed', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const response = await createToken(t.app, amina.headers, {
      name: 'script',
      expires_in_days: 3,
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    assertProblem(response, 400, 'validation_failed');
  });

  test('signing out everywhere ends every session and token of mine, and only mine', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const baraka = await signedIn(t);
    const created = await newToken(t.app, amina);
    const response = await t.app.inject({ method: 'DELETE', url: '/api/v1/tokens', headers: amina.headers });
    assert.equal(response.statusCode, 204);
    assertProblem(await me(t.app, amina.session), 401, 'unauthenticated');
    assertProblem(await me(t.app, created.token), 401, 'unauthenticated');
    assert.equal((await me(t.app, baraka.session)).statusCode, 200);
  });
});

forEachDatabase('deactivating an account', (open) => {
  test('deactivation makes a token in use answer 401 right after', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    assert.equal((await me(t.app, created.token)).statusCode, 200);
    await t.services.accounts.setActive(amina.email, false);
    assertProblem(await me(t.app, created.token), 401, 'unauthenticated');
    assertProblem(await me(t.app, amina.session), 401, 'unauthenticated');
  });

  test('a deactivated account cannot sign in: 401 invalid_credentials, as for a wrong password', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    await t.services.accounts.setActive(amina.email, false);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: amina.email, password: testPassword },
    });
    assertProblem(response, 401, 'invalid_credentials');
  });

  test('a reactivated account signs in again, but its old tokens stay revoked', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    await t.services.accounts.setActive(amina.email, false);
    await t.services.accounts.setActive(amina.email, true);
    assertProblem(await me(t.app, amina.session), 401, 'unauthenticated');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: amina.email, password: testPassword },
    });
    assert.equal(response.statusCode, 200);
  });

  test('deactivation and reactivation are on the public record under the pseudonym only', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    await t.services.accounts.setActive(amina.email, false);
    await t.services.accounts.setActive(amina.email, true);
    const entries = (await ledgerEntries(t.app)).filter((e) => e.action.startsWith('account.'));
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor]),
      [
        ['account.deactivated', 'operator'],
        ['account.activated', 'operator'],
      ],
    );
    const text = JSON.stringify(entries.map((e) => Buffer.from(e.content ?? '', 'base64').toString()));
    assert.ok(!text.includes(amina.email), 'the e-mail is on the public record');
    assert.match(entries[0]?.subject ?? '', /^account:/);
  });

  test('the public record still verifies after a deactivation', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    await t.services.accounts.setActive(amina.email, false);
    const result = await verifyLedger(t.db, t.services);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
  });

  test('an account deactivated in the database behind the record is found by verification', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    await t.db.kysely
      .updateTable('users')
      .set({ disabled_at: new Date().toISOString() })
      .where('email', '=', amina.email)
      .execute();
    const result = await verifyLedger(t.db, t.services);
    assert.equal(result.ok, false);
    assert.ok(result.problems.some((problem) => /deactivated in the database/.test(problem.message)));
  });
});

forEachDatabase('changing a password', (open) => {
  async function changePassword(app: App, headers: Record<string, string>, current: string, next: string) {
    return app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers,
      payload: { current_password: current, new_password: next },
    });
  }

  test('changing my password ends my other sessions and tokens and returns a fresh session', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    const response = await changePassword(t.app, amina.headers, testPassword, 'a brand new passphrase');
    assert.equal(response.statusCode, 200, response.body);
    const fresh = response.json<{ token: string }>().token;
    assertProblem(await me(t.app, amina.session), 401, 'unauthenticated');
    assertProblem(await me(t.app, created.token), 401, 'unauthenticated');
    assert.equal((await me(t.app, fresh)).statusCode, 200);
    assert.ok(response.cookies.some((c) => c.name === 'tally_session' && c.value === fresh));
  });

  test('after a change only the new password signs in', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    await changePassword(t.app, amina.headers, testPassword, 'a brand new passphrase');
    const login = (password: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: amina.email, password } });
    assertProblem(await login(testPassword), 401, 'invalid_credentials');
    assert.equal((await login('a brand new passphrase')).statusCode, 200);
  });

  test('a wrong current password is 403 wrong_password and changes nothing', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const response = await changePassword(t.app, amina.headers, 'not my password', 'a brand new passphrase');
    assertProblem(response, 403, 'wrong_password');
    assert.equal((await me(t.app, amina.session)).statusCode, 200);
  });

  test('a new password shorter than ten characters is 400 validation_failed', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    assertProblem(
      await changePassword(t.app, amina.headers, testPassword, 'short'),
      400,
      'validation_failed',
    );
  });

  test('changing a password without signing in is 401 unauthenticated', async () => {
    const t = await buildTestApp(await open());
    assertProblem(
      await changePassword(t.app, {}, testPassword, 'a brand new passphrase'),
      401,
      'unauthenticated',
    );
  });

  test('the operator setting a password ends every session and token of the account', async () => {
    const t = await buildTestApp(await open());
    const amina = await signedIn(t);
    const created = await newToken(t.app, amina);
    await t.services.accounts.setPassword(amina.email, 'set by the operator');
    assertProblem(await me(t.app, amina.session), 401, 'unauthenticated');
    assertProblem(await me(t.app, created.token), 401, 'unauthenticated');
  });
});
