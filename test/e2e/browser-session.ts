/**
 * What the browser tests share: a real Tally on its own SQLite file, headless Chromium pointed at it, and
 * small helpers that set the scene through the API. What went wrong in the pages (a script error, a file
 * that did not load) is added to a failing step's error.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import type { Role } from '../../src/accounts/roles.js';
import { webDistDir } from '../../src/paths.js';
import { chromiumArgs, chromiumPath, startTestServer, type TestServer } from '../helpers/server.js';

export const PASSWORD = 'a long enough test password';

/** A desktop window and a narrow phone, for screenshots. */
export const viewports = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 360, height: 740 },
} as const;

export interface Session {
  server: TestServer;
  browser: Browser;
  /** A fresh browser profile (its own cookies and storage); closed with the browser. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page whose uncaught script errors and missing files are recorded for `assertPagesHealthy()`. */
  newPage(context: BrowserContext): Promise<Page>;
  assertPagesHealthy(): void;
}

/** Runs `body` against its own server (with `env` as its settings) and browser, and closes both whatever happens. */
export async function withSession(
  body: (session: Session) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const pages = [
    'index.html',
    'report.html',
    'volunteer.html',
    'report-page.html',
    'about.html',
    'sensors.html',
  ];
  assert.ok(
    pages.every((page) => existsSync(path.join(webDistDir, page))),
    `the web app is not built in ${webDistDir}: run \`npm run build:web\` (scripts/test.mjs does)`,
  );
  const server = await startTestServer(env);
  let browser: Browser | undefined;
  const problems: string[] = [];
  const violations: string[] = [];
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    const launched = browser;
    const session: Session = {
      server,
      browser: launched,
      async newContext(options = {}) {
        const context = await launched.newContext({ baseURL: server.url, ...options });
        context.setDefaultTimeout(15_000);
        return context;
      },
      async newPage(context) {
        const page = await context.newPage();
        page.on('pageerror', (error) => problems.push(`uncaught error on ${page.url()}: ${error.message}`));
        // Whatever the Content-Security-Policy blocked, in the page or its workers, fails the test.
        const violation = (text: string) => {
          violations.push(text);
          problems.push(text);
        };
        await page.exposeFunction('tallyPolicyViolation', (text: string) =>
          violation(`CSP violation on ${page.url()}: ${text}`),
        );
        // A string: the tests are type-checked without the DOM's types.
        await page.addInitScript(`
          document.addEventListener('securitypolicyviolation', (event) => {
            window.tallyPolicyViolation(
              event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline') +
                ' (' + (event.sourceFile || 'page') + ':' + event.lineNumber + ')',
            );
          });
        `);
        page.on('console', (message) => {
          if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
            violation(`CSP console error on ${page.url()}: ${message.text()}`);
          }
        });
        page.on('response', (response) => {
          const { pathname } = new URL(response.url());
          // API refusals are part of the flows (401 before signing in, 422 for a bad form, 409 for a second
          // vote); files are not.
          if (
            response.status() >= 400 &&
            response.request().method() === 'GET' &&
            !pathname.startsWith('/api/')
          ) {
            problems.push(`${response.status()} for ${pathname}`);
          }
        });
        return page;
      },
      assertPagesHealthy() {
        assert.deepEqual(problems, [], 'the pages had problems');
      },
    };
    await body(session);
    // Checked even where a test does not call assertPagesHealthy: every page must work under the policy.
    assert.deepEqual(violations, [], 'the Content-Security-Policy blocked something');
  } catch (error) {
    if (problems.length === 0) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nThe pages had problems:\n  ${problems.join('\n  ')}`, { cause: error });
  } finally {
    await browser?.close();
    await server.close();
  }
}

/** Set TALLY_E2E_SCREENSHOTS to a directory to keep full-page screenshots of the pages these tests visit. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.TALLY_E2E_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export async function signIn(server: TestServer, email: string, role: Role): Promise<string> {
  await server.createUser(email, role, PASSWORD);
  const response = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(response.status, 200, `sign-in of ${email}`);
  return ((await response.json()) as { token: string }).token;
}

/** One API call; asserts the status and answers the JSON (or the text, when the answer is not JSON). */
export async function call<T>(
  server: TestServer,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  options: { token?: string; body?: unknown; status?: number } = {},
): Promise<T> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  assert.equal(
    response.status,
    options.status ?? (method === 'POST' ? 201 : 200),
    `${method} ${url}: ${text}`,
  );
  return (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
}

export interface ReportJson {
  id: string;
  title: string;
  verification: string;
  published_by: string | null;
  votes: { voter: string; verdict: string; reason: string; created_at: string }[];
}

/** A report sent by an anonymous reporter and published by `publisher`. */
export async function publishedReport(
  server: TestServer,
  publisher: string,
  report: { title: string; lat: number; lon: number; categories?: string[] },
): Promise<ReportJson> {
  const created = await call<ReportJson>(server, 'POST', '/api/v1/reports', {
    body: {
      title: report.title,
      description: `${report.title}, seen this morning.`,
      location: { lat: report.lat, lon: report.lon },
      location_name: 'Kibera, Nairobi',
      categories: report.categories ?? [],
    },
  });
  return call<ReportJson>(server, 'PATCH', `/api/v1/reports/${created.id}`, {
    token: publisher,
    body: { status: 'published' },
  });
}

export async function vote(
  server: TestServer,
  token: string,
  reportId: string,
  verdict: 'confirm' | 'reject' | 'needs_info',
  reason: string,
): Promise<ReportJson> {
  return call<ReportJson>(server, 'POST', `/api/v1/reports/${reportId}/votes`, {
    token,
    body: { verdict, reason },
  });
}
