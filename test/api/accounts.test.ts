import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Role } from '../../src/accounts/roles.js';
import type { App } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { createServices } from '../../src/services.js';
import { buildTestApp, testConfig, testPassword } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import { assertProblem, type ReportJson, submitReport } from '../helpers/reports.js';

interface TokenAnswerJson {
  token: string;
  expires_at: string | null;
  user: { id: string; email: string; display_name: string | null; role: string };
}

interface MeJson {
  user: { id: string; email: string; role: string };
}

async function addUser(db: TestDb, email: string, role: Role): Promise<void> {
  await (await createServices(db, systemClock, testConfig())).accounts.addUser({
    email,
    password: testPassword,
    role,
  });
}

function login(app: App, email: string, password = testPassword) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
}

async function editTitle(app: App, headers: Record<string, string>, report: ReportJson) {
  return app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${report.id}`,
    headers,
    payload: { title: 'Burst pipe on Ngong Road (checked)' },
  });
}

forEachDatabase('accounts API', (open) => {
  test('signing in returns a bearer token and the account', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const response = await login(app, 'amina@example.org');
    assert.equal(response.statusCode, 200);
    const answer = response.json<TokenAnswerJson>();
    assert.match(answer.token, /^tly_/);
    assert.equal(answer.user.email, 'amina@example.org');
    assert.equal(answer.user.role, 'volunteer');
    assert.ok(answer.expires_at && Date.parse(answer.expires_at) > Date.now());
  });

  test('signing in sets the same token as an httpOnly tally_session cookie', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const response = await login(app, 'amina@example.org');
    const cookie = response.cookies.find((c) => c.name === 'tally_session');
    assert.ok(cookie, 'no tally_session cookie was set');
    assert.equal(cookie.value, response.json<TokenAnswerJson>().token);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.path, '/');
    assert.equal(cookie.sameSite, 'Lax');
  });

  test('the e-mail address is matched regardless of case', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const response = await login(app, '  Amina@Example.ORG ');
    assert.equal(response.statusCode, 200);
  });

  test('the session cookie alone authenticates GET /api/v1/auth/me', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'coordinator');
    const { token } = (await login(app, 'amina@example.org')).json<TokenAnswerJson>();
    const response = await app.inject({ url: '/api/v1/auth/me', cookies: { tally_session: token } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      { email: response.json<MeJson>().user.email, role: response.json<MeJson>().user.role },
      { email: 'amina@example.org', role: 'coordinator' },
    );
  });

  test('the bearer token authenticates GET /api/v1/auth/me', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'reporter');
    const { token } = (await login(app, 'amina@example.org')).json<TokenAnswerJson>();
    const response = await app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.json<MeJson>().user.email, 'amina@example.org');
  });

  test('GET /api/v1/auth/me without a token is 401 unauthenticated', async () => {
    const { app } = await buildTestApp(await open());
    assertProblem(await app.inject({ url: '/api/v1/auth/me' }), 401, 'unauthenticated');
  });

  test('a token the server never issued is treated as no token at all', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: 'Bearer tly_made_up' },
    });
    assertProblem(response, 401, 'unauthenticated');
  });

  test('a wrong password is refused with 401 invalid_credentials', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const response = await login(app, 'amina@example.org', 'not the password at all');
    assertProblem(response, 401, 'invalid_credentials');
    assert.equal(response.cookies.length, 0);
  });

  test('an unknown e-mail is refused with the same 401 invalid_credentials', async () => {
    const { app } = await buildTestApp(await open());
    assertProblem(await login(app, 'nobody@example.org'), 401, 'invalid_credentials');
  });

  test('after signing out the token no longer authenticates', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const { token } = (await login(app, 'amina@example.org')).json<TokenAnswerJson>();
    const headers = { authorization: `Bearer ${token}` };
    const logout = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
    assert.equal(logout.statusCode, 204);
    assertProblem(await app.inject({ url: '/api/v1/auth/me', headers }), 401, 'unauthenticated');
  });

  test('signing out with the cookie ends that session and clears the cookie', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const { token } = (await login(app, 'amina@example.org')).json<TokenAnswerJson>();
    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { tally_session: token },
      headers: { origin: 'http://localhost' },
    });
    const cleared = logout.cookies.find((c) => c.name === 'tally_session');
    assert.ok(cleared, 'the cookie was not cleared');
    assert.equal(cleared.value, '');
    const me = await app.inject({ url: '/api/v1/auth/me', cookies: { tally_session: token } });
    assertProblem(me, 401, 'unauthenticated');
  });

  test('a signed-in user creates an API token that authenticates as them', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const { token: session } = (await login(app, 'amina@example.org')).json<TokenAnswerJson>();
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { authorization: `Bearer ${session}` },
      payload: { name: 'Nightly import script' },
    });
    assert.equal(created.statusCode, 201);
    const apiToken = created.json<TokenAnswerJson>();
    assert.notEqual(apiToken.token, session);
    assert.equal(apiToken.expires_at, null);
    const me = await app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${apiToken.token}` },
    });
    assert.equal(me.json<MeJson>().user.email, 'amina@example.org');
  });

  test('an API token outlives signing out of the session that created it', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const { token: session } = (await login(app, 'amina@example.org')).json<TokenAnswerJson>();
    const sessionHeaders = { authorization: `Bearer ${session}` };
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: sessionHeaders,
      payload: { name: 'Nightly import script' },
    });
    await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: sessionHeaders });
    const me = await app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${created.json<TokenAnswerJson>().token}` },
    });
    assert.equal(me.statusCode, 200);
  });

  test('creating an API token without signing in is 401 unauthenticated', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      payload: { name: 'script' },
    });
    assertProblem(response, 401, 'unauthenticated');
  });

  test('a reporter may not edit a report: 403 forbidden', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await submitReport(app, { title: 'Burst pipe on Ngong Road' });
    assertProblem(await editTitle(app, await as('reporter'), report), 403, 'forbidden');
  });

  test('a volunteer may edit a report', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await submitReport(app, { title: 'Burst pipe on Ngong Road' });
    const response = await editTitle(app, await as('volunteer'), report);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json<ReportJson>().title, 'Burst pipe on Ngong Road (checked)');
  });

  test('a coordinator may edit a report', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await submitReport(app, { title: 'Burst pipe on Ngong Road' });
    assert.equal((await editTitle(app, await as('coordinator'), report)).statusCode, 200);
  });

  test('an admin may edit a report', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await submitReport(app, { title: 'Burst pipe on Ngong Road' });
    assert.equal((await editTitle(app, await as('admin'), report)).statusCode, 200);
  });

  test('an anonymous caller may not edit a report: 401 unauthenticated', async () => {
    const { app } = await buildTestApp(await open());
    const report = await submitReport(app, { title: 'Burst pipe on Ngong Road' });
    assertProblem(await editTitle(app, {}, report), 401, 'unauthenticated');
  });

  test('a session cookie authenticates an edit the same way a bearer token does', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await addUser(db, 'amina@example.org', 'volunteer');
    const { token } = (await login(app, 'amina@example.org')).json<TokenAnswerJson>();
    const report = await submitReport(app, { title: 'Burst pipe on Ngong Road' });
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      cookies: { tally_session: token },
      headers: { origin: 'http://localhost' },
      payload: { status: 'published' },
    });
    assert.equal(response.statusCode, 200);
  });
});
