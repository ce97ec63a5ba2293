import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/accounts/roles.js';
import type { App } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { buildTestApp, kiberaReport } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import { reportPageDir } from '../helpers/report-page.js';
import { assertProblem, type ReportJson, submitReport } from '../helpers/reports.js';

/** The origin light-my-request's requests are addressed to (its default Host is localhost:80). */
const ownOrigin = 'http://localhost';
const otherSite = 'https://evil.example.net';

const pageFiles = [
  'index.html',
  'volunteer.html',
  'about.html',
  'sensors.html',
  'report-page.html',
  'account.html',
];

/** A built web app with every page (report.html comes from reportPageDir) and one hashed asset. */
function webApp(t: TestContext): string {
  const dir = reportPageDir(t);
  for (const file of pageFiles) {
    writeFileSync(
      path.join(dir, file),
      `<!doctype html><html><head><title>${file} · Tally</title></head><body><a class="brand" href="/">Tally</a></body></html>`,
    );
  }
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("map");\n');
  return dir;
}

/** The CSP as directive name → sources. */
function directives(response: LightMyRequestResponse): Map<string, string[]> {
  const header = response.headers['content-security-policy'];
  assert.equal(typeof header, 'string', `no Content-Security-Policy on ${response.raw.req.url}`);
  return new Map(
    String(header)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

async function sessionCookieFor(services: Awaited<ReturnType<typeof buildTestApp>>['services'], role: Role) {
  const email = `${role}-${Math.random().toString(36).slice(2)}@example.org`;
  await services.accounts.addUser({ email, password: 'correct horse battery staple', role });
  return { tally_session: (await services.accounts.login(email, 'correct horse battery staple')).token };
}

async function signedIn(db: TestDb, role: Role = 'coordinator') {
  const built = await buildTestApp(db);
  return { ...built, cookies: await sessionCookieFor(built.services, role) };
}

function publish(
  app: App,
  cookies: Record<string, string>,
  report: ReportJson,
  headers: Record<string, string>,
) {
  return app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${report.id}`,
    cookies,
    headers,
    payload: { status: 'published' },
  });
}

forEachDatabase('browser security headers', (open) => {
  test('every page carries a policy that loads scripts and styles only from the deployment', async (t) => {
    const { app } = await buildTestApp(await open(), { webDir: webApp(t) });
    const report = await submitReport(app, kiberaReport);
    for (const url of [
      '/',
      '/report',
      `/reports/${report.id}`,
      '/volunteer',
      '/sensors',
      '/about',
      '/account',
    ]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      const csp = directives(response);
      assert.deepEqual(csp.get('script-src'), ["'self'"], url);
      assert.deepEqual(csp.get('style-src'), ["'self'"], url);
      assert.deepEqual(csp.get('img-src'), ["'self'", 'data:', 'blob:'], url);
      assert.deepEqual(csp.get('connect-src'), ["'self'"], url);
      assert.deepEqual(csp.get('worker-src'), ["'self'", 'blob:'], url);
      assert.deepEqual(csp.get('object-src'), ["'none'"], url);
      assert.deepEqual(csp.get('base-uri'), ["'self'"], url);
      assert.deepEqual(csp.get('form-action'), ["'self'"], url);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], url);
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.ok(response.headers['referrer-policy'], url);
    }
  });

  test('pages whose address or links carry ids tell other sites nothing of where a reader came from', async (t) => {
    const { app } = await buildTestApp(await open(), { webDir: webApp(t) });
    const report = await submitReport(app, kiberaReport);
    for (const url of [`/reports/${report.id}`, '/volunteer', '/sensors']) {
      assert.equal((await app.inject({ url })).headers['referrer-policy'], 'same-origin', url);
    }
    for (const url of ['/', '/report', '/about']) {
      assert.equal(
        (await app.inject({ url })).headers['referrer-policy'],
        'strict-origin-when-cross-origin',
        url,
      );
    }
  });

  test('API answers, errors and files carry nosniff, a referrer policy and a policy that runs nothing', async (t) => {
    const { app } = await buildTestApp(await open(), { webDir: webApp(t) });
    const responses = [
      await app.inject({ url: '/api/v1/reports' }),
      await app.inject({ url: '/api/v1/config' }),
      await app.inject({ url: '/api/v1/exports/reports.csv' }),
      await app.inject({ url: '/api/v1/no-such-route' }),
      await app.inject({ method: 'POST', url: '/api/v1/reports', payload: { title: '' } }),
      // Refused by Fastify before routing, where no hook runs.
      await app.inject({ url: '/api/v1/reports/%E0%A4%A' }),
    ];
    for (const response of responses) {
      const url = response.raw.req.url;
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['referrer-policy'], 'strict-origin-when-cross-origin', url);
      assert.deepEqual(directives(response).get('default-src'), ["'none'"], url);
      assert.deepEqual(directives(response).get('frame-ancestors'), ["'none'"], url);
    }
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(directives(asset).get('worker-src'), ["'self'", 'blob:']);
  });

  test('the API documentation has a policy of its own that still runs no inline script', async () => {
    const { app } = await buildTestApp(await open());
    const docs = await app.inject({ url: '/api/docs' });
    assert.equal(docs.statusCode, 200);
    const csp = directives(docs);
    assert.deepEqual(csp.get('script-src'), ["'self'"]);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.equal(docs.headers['x-content-type-options'], 'nosniff');
  });

  test('a basemap tile server is allowed for images and connections, and nothing else', async (t) => {
    const { app } = await buildTestApp(await open(), {
      webDir: webApp(t),
      basemapTileUrl: 'https://tiles.example.org:8443/osm/{z}/{x}/{y}.png',
    });
    const csp = directives(await app.inject({ url: '/' }));
    assert.deepEqual(csp.get('img-src'), ["'self'", 'data:', 'blob:', 'https://tiles.example.org:8443']);
    assert.deepEqual(csp.get('connect-src'), ["'self'", 'https://tiles.example.org:8443']);
    assert.deepEqual(csp.get('script-src'), ["'self'"]);
  });

  test('the map and a report page may be framed by the sites named, other pages by none', async (t) => {
    const { app } = await buildTestApp(await open(), {
      webDir: webApp(t),
      embedOrigins: ['https://news.example.org', 'https://radio.example.com'],
    });
    const report = await submitReport(app, kiberaReport);
    for (const url of ['/', `/reports/${report.id}`]) {
      const response = await app.inject({ url });
      assert.deepEqual(
        directives(response).get('frame-ancestors'),
        ['https://news.example.org', 'https://radio.example.com'],
        url,
      );
      assert.equal(response.headers['x-frame-options'], undefined, url);
    }
    for (const url of ['/volunteer', '/sensors', '/report', '/about', '/api/v1/reports']) {
      const response = await app.inject({ url });
      assert.deepEqual(directives(response).get('frame-ancestors'), ["'none'"], url);
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
    }
  });

  test('the built page files are not served under their own names; their routes are', async (t) => {
    const { app } = await buildTestApp(await open(), { webDir: webApp(t) });
    for (const file of [...pageFiles, 'report.html']) {
      for (const url of [`/${file}`, `/${file.toUpperCase()}`, `/./${file}`, `/assets/../${file}`]) {
        const response = await app.inject({ url });
        assert.equal(response.statusCode, 404, `${url}: ${response.body.slice(0, 80)}`);
      }
    }
    for (const url of ['/', '/report', '/volunteer', '/sensors', '/about', '/assets/index-abc123.js']) {
      assert.equal((await app.inject({ url })).statusCode, 200, url);
    }
  });
});

forEachDatabase('the session cookie', (open) => {
  async function cookieOf(publicUrl: string | null) {
    const db = await open();
    const { app, services } = await buildTestApp(db, { publicUrl });
    await services.accounts.addUser({
      email: 'amina@example.org',
      password: 'a long enough password',
      role: 'volunteer',
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'amina@example.org', password: 'a long enough password' },
    });
    assert.equal(response.statusCode, 200, response.body);
    const cookie = response.cookies.find((c) => c.name === 'tally_session');
    assert.ok(cookie);
    return cookie;
  }

  test('is Secure when the public address is https, HttpOnly and SameSite=Lax', async () => {
    const cookie = await cookieOf('https://tally.example.org');
    assert.equal(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
  });

  test('is not Secure when the public address is plain http', async () => {
    const cookie = await cookieOf('http://tally.local:8080');
    assert.notEqual(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
  });
});

forEachDatabase('changes made with the session cookie', (open) => {
  test('a JSON edit from another site is refused: 403 cross_site_request', async () => {
    const { app, cookies } = await signedIn(await open());
    const report = await submitReport(app, kiberaReport);
    assertProblem(await publish(app, cookies, report, { origin: otherSite }), 403, 'cross_site_request');
  });

  test('an edit that says nowhere where it comes from is refused', async () => {
    const { app, cookies } = await signedIn(await open());
    const report = await submitReport(app, kiberaReport);
    assertProblem(await publish(app, cookies, report, {}), 403, 'cross_site_request');
  });

  test('an edit from a page of the deployment is made, by Origin, Sec-Fetch-Site or Referer', async () => {
    const { app, cookies } = await signedIn(await open());
    for (const headers of [
      { origin: ownOrigin },
      { 'sec-fetch-site': 'same-origin' },
      { referer: `${ownOrigin}/reports/abc` },
    ] as Record<string, string>[]) {
      const report = await submitReport(app, kiberaReport);
      const response = await publish(app, cookies, report, headers);
      assert.equal(response.statusCode, 200, `${JSON.stringify(headers)}: ${response.body}`);
    }
  });

  test('a page on a sibling site or an opaque origin does not count as the deployment', async () => {
    const { app, cookies } = await signedIn(await open());
    const report = await submitReport(app, kiberaReport);
    for (const headers of [
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { referer: 'https://localhost.evil.example.net/' },
      { origin: 'http://localhost:8081' },
    ] as Record<string, string>[]) {
      assertProblem(await publish(app, cookies, report, headers), 403, 'cross_site_request');
    }
  });

  test('the public address counts as the deployment behind a proxy that rewrites the Host', async () => {
    const db = await open();
    const built = await buildTestApp(db, { publicUrl: 'https://tally.example.org' });
    const cookies = await sessionCookieFor(built.services, 'coordinator');
    const report = await submitReport(built.app, kiberaReport);
    const response = await publish(built.app, cookies, report, {
      host: '127.0.0.1:8080',
      origin: 'https://tally.example.org',
    });
    assert.equal(response.statusCode, 200, response.body);
  });

  test('a file posted in a form from another site is refused', async () => {
    const { app, cookies } = await signedIn(await open(), 'reporter');
    const boundary = '----cross-site';
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/imports',
      cookies,
      headers: { origin: otherSite, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="drive.log"\r\nContent-Type: application/octet-stream\r\n\r\nnot a drive log\r\n--${boundary}--\r\n`,
    });
    assertProblem(response, 403, 'cross_site_request');
  });

  test('a file posted in a form from a page of the deployment reaches the import', async () => {
    const { app, cookies } = await signedIn(await open(), 'reporter');
    const boundary = '----same-site';
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/imports',
      cookies,
      headers: { origin: ownOrigin, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="drive.log"\r\nContent-Type: application/octet-stream\r\n\r\nnot a drive log\r\n--${boundary}--\r\n`,
    });
    assertProblem(response, 422, 'empty_import');
  });

  test('a text/plain post from another site is refused', async () => {
    const { app, cookies } = await signedIn(await open(), 'reporter');
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/imports?file_name=drive.log',
      cookies,
      headers: { origin: otherSite, 'content-type': 'text/plain' },
      payload: '$BNRDD,204,2012-09-20T16:53:58Z,776,63,33895,A,4618.9612,N,00658.4831,E,587.6,A,77.2,1*1A',
    });
    assertProblem(response, 403, 'cross_site_request');
  });

  test('an empty POST from another site is refused and the session lives on', async () => {
    const { app, cookies } = await signedIn(await open());
    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies,
      headers: { origin: otherSite },
    });
    assertProblem(logout, 403, 'cross_site_request');
    assert.equal((await app.inject({ url: '/api/v1/auth/me', cookies })).statusCode, 200);
  });

  test('a DELETE from another site is refused and one from the deployment is made', async () => {
    const { app, cookies } = await signedIn(await open());
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/categories',
      cookies,
      headers: { origin: ownOrigin },
      payload: { name: 'Water' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const url = `/api/v1/categories/${created.json<{ id: string }>().id}`;
    assertProblem(
      await app.inject({ method: 'DELETE', url, cookies, headers: { origin: otherSite } }),
      403,
      'cross_site_request',
    );
    assert.equal(
      (await app.inject({ method: 'DELETE', url, cookies, headers: { origin: ownOrigin } })).statusCode,
      204,
    );
  });

  test('the no-JavaScript report form posted by a signed-in reader from another site is refused', async (t) => {
    const db = await open();
    const built = await buildTestApp(db, { webDir: webApp(t) });
    const cookies = await sessionCookieFor(built.services, 'reporter');
    const form = new URLSearchParams({ title: 'Burst pipe', lat: '-1.31', lon: '36.79' }).toString();
    const response = await built.app.inject({
      method: 'POST',
      url: '/report',
      cookies,
      headers: { origin: otherSite, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    assertProblem(response, 403, 'cross_site_request');
  });

  test('the no-JavaScript report form posted by a signed-in reader on the deployment is received', async (t) => {
    const db = await open();
    const built = await buildTestApp(db, { webDir: webApp(t) });
    const cookies = await sessionCookieFor(built.services, 'reporter');
    const form = new URLSearchParams({ title: 'Burst pipe', lat: '-1.31', lon: '36.79' }).toString();
    const response = await built.app.inject({
      method: 'POST',
      url: '/report',
      cookies,
      headers: { origin: ownOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    assert.equal(response.statusCode, 201, response.body);
  });

  test('an anonymous report form posted from another site is received: it carries no session', async (t) => {
    const { app } = await buildTestApp(await open(), { webDir: webApp(t) });
    const form = new URLSearchParams({ title: 'Burst pipe', lat: '-1.31', lon: '36.79' }).toString();
    const response = await app.inject({
      method: 'POST',
      url: '/report',
      headers: { origin: otherSite, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    assert.equal(response.statusCode, 201, response.body);
  });

  test('a bearer token is not checked for where the request comes from', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await submitReport(app, kiberaReport);
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: { ...(await as('coordinator')), origin: otherSite },
      payload: { status: 'published' },
    });
    assert.equal(response.statusCode, 200, response.body);
  });

  test('signing in from a page on another site is refused; from a script or the deployment it is not', async () => {
    const { app, services } = await buildTestApp(await open());
    await services.accounts.addUser({
      email: 'amina@example.org',
      password: 'a long enough password',
      role: 'volunteer',
    });
    const login = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers,
        payload: { email: 'amina@example.org', password: 'a long enough password' },
      });
    assertProblem(await login({ origin: otherSite }), 403, 'cross_site_request');
    assertProblem(await login({ 'sec-fetch-site': 'cross-site' }), 403, 'cross_site_request');
    assert.equal((await login({})).statusCode, 200);
    assert.equal((await login({ origin: ownOrigin })).statusCode, 200);
  });
});

test('TALLY_EMBED_ORIGINS names origins, or * for any site', () => {
  assert.deepEqual(loadConfig({}).embedOrigins, []);
  assert.deepEqual(
    loadConfig({ TALLY_EMBED_ORIGINS: 'https://News.example.org/, http://localhost:3000' }).embedOrigins,
    ['https://news.example.org', 'http://localhost:3000'],
  );
  assert.deepEqual(loadConfig({ TALLY_EMBED_ORIGINS: '*' }).embedOrigins, ['*']);
});

test('TALLY_EMBED_ORIGINS refuses anything but an origin, so nothing can be slipped into the header', () => {
  for (const value of [
    'news.example.org',
    'https://news.example.org/embed',
    "https://news.example.org; script-src 'unsafe-inline'",
    'ftp://news.example.org',
  ]) {
    assert.throws(() => loadConfig({ TALLY_EMBED_ORIGINS: value }), ConfigError, value);
  }
});
