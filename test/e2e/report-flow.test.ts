/**
 * End-to-end: the report page, the volunteers' page and the public map in headless Chromium, against a real
 * Tally on its own SQLite file. `scripts/test.mjs` builds the web app first.
 *
 * Set TALLY_E2E_SCREENSHOTS to a directory to keep a screenshot of the map page with a published report.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Locator } from 'playwright-core';
import { browserSkipReason, type TestServer } from '../helpers/server.js';
import { PASSWORD, signIn, withSession } from './browser-session.js';

const TEST_TIMEOUT = 60_000;

/** The parts of the API's answers these tests read. */
interface ReportJson {
  id: string;
  title: string;
  description: string;
  status: string;
  source: string;
  categories: string[];
  location: { lat: number; lon: number } | null;
  location_name: string | null;
  author_name: string | null;
  /** Only in what volunteers see. */
  contact?: string | null;
}

interface ReportPageJson {
  items: ReportJson[];
}

interface CategoryJson {
  id: string;
  name: string;
}

/* ---------- Helpers ---------- */

async function getJson<T>(server: TestServer, url: string, token?: string): Promise<T> {
  const response = await fetch(`${server.url}${url}`, {
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  assert.equal(response.status, 200, `GET ${url}`);
  return (await response.json()) as T;
}

async function createCategory(server: TestServer, token: string, name: string, color: string) {
  const response = await fetch(`${server.url}/api/v1/categories`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name, color }),
  });
  assert.equal(response.status, 201, 'category created');
  return (await response.json()) as CategoryJson;
}

async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** The queue of unsent reports the report page keeps in the browser's localStorage. */
async function savedQueue(context: BrowserContext): Promise<{ key: string; body: { title: string } }[]> {
  const { origins } = await context.storageState();
  const value = origins
    .flatMap((origin) => origin.localStorage)
    .find((item) => item.name === 'tally.report-queue.v1')?.value;
  return value ? JSON.parse(value) : [];
}

/** The reference the report page shows after a successful submission. */
async function referenceIn(box: Locator): Promise<string> {
  const shown = await text(box);
  const id = /Reference:?\s*([0-9a-f-]{36})/i.exec(shown)?.[1];
  assert.ok(id, `a reference in: ${shown}`);
  return id;
}

/* ---------- Tests ---------- */

describe('report flow in the browser', { skip: browserSkipReason }, () => {
  test(
    'a report sent from /report is published by a volunteer and shows on the public map',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
        await server.createUser('volunteer@example.org', 'volunteer', PASSWORD);
        const flooding = await createCategory(server, coordinator, 'Flooding', '#1d4ed8');
        const title = 'Road to the market flooded';

        // The reporter.
        const reporter = await newPage(await newContext());
        await reporter.goto('/report');
        await reporter.getByLabel('What happened?').fill(title);
        await reporter.getByLabel('Details').fill('Water knee-deep from the bridge to the bus stop.');
        // With JavaScript the category list is a group of checkboxes.
        await reporter.getByRole('checkbox', { name: 'Flooding' }).check();
        // The place suggestion fills in the coordinates.
        await reporter.getByRole('combobox', { name: 'Place name' }).pressSequentially('Nairob');
        // Choosing fills the coordinates at once (on mousedown).
        await reporter.getByRole('option', { name: 'Nairobi, KE' }).click();
        const lat = Number(await reporter.getByLabel('Latitude').inputValue());
        const lon = Number(await reporter.getByLabel('Longitude').inputValue());
        assert.ok(Math.abs(lat - -1.28) < 0.1 && Math.abs(lon - 36.82) < 0.1, `Nairobi is at ${lat}, ${lon}`);
        await reporter.getByRole('button', { name: 'Send report' }).click();

        const thanks = reporter.locator('#form-status .notice-success');
        await thanks.getByText('Thank you. Your report has been received.').waitFor();
        assert.match(await text(thanks), /Volunteers will check it before it appears on the map/);
        const id = await referenceIn(thanks);
        // The form is cleared for the next report.
        assert.equal(await reporter.getByLabel('What happened?').inputValue(), '');

        // Not public yet.
        const before = await getJson<ReportPageJson>(server, '/api/v1/reports');
        assert.deepEqual(before.items, []);

        // The volunteer.
        const volunteer = await newPage(await newContext());
        await volunteer.goto('/volunteer');
        await volunteer.getByLabel('E-mail').fill('volunteer@example.org');
        await volunteer.getByLabel('Password').fill(PASSWORD);
        await volunteer.getByRole('button', { name: 'Sign in' }).click();
        await volunteer.getByRole('heading', { name: 'Check reports' }).waitFor();
        assert.equal(
          await volunteer.getByRole('button', { name: 'Waiting' }).getAttribute('aria-pressed'),
          'true',
        );
        const card = volunteer.getByRole('article', { name: title });
        await card.waitFor();
        await card.locator('.chip', { hasText: 'Flooding' }).waitFor();
        assert.match(await text(card), /Nairobi/);
        await card.getByRole('button', { name: 'Publish' }).click();
        await volunteer.getByText(`“${title}” is published.`).waitFor();
        await card.waitFor({ state: 'detached' });

        // The public map.
        const viewer = await newPage(await newContext());
        await viewer.goto('/');
        await viewer.getByText('1 report matches the filters.').waitFor();
        // The list beside the map holds what is in view, so it is filled only once the map has loaded.
        const item = viewer.getByRole('button', { name: `Show “${title}” on the map` });
        await item.waitFor();
        assert.match(await text(item), /Flooding/);

        // Choosing it in the list flies there and opens its popup.
        await item.click();
        const popup = viewer.locator('.maplibregl-popup');
        await popup.getByRole('heading', { name: title }).waitFor();
        assert.match(await text(popup), /Flooding/);

        // The point is drawn in the centre of the map: clicking it there opens the popup from the map layer.
        await popup.locator('.maplibregl-popup-close-button').click();
        await popup.waitFor({ state: 'detached' });
        const canvas = viewer.locator('.maplibregl-canvas');
        const size = await canvas.boundingBox();
        assert.ok(size, 'the map canvas is laid out');
        const centre = { x: size.width / 2, y: size.height / 2 };
        // The tiles of the new zoom level may still be on their way: click again until the point answers.
        const deadline = Date.now() + 10_000;
        for (;;) {
          await canvas.click({ position: centre });
          try {
            await popup.getByRole('heading', { name: title }).waitFor({ timeout: 1_000 });
            break;
          } catch (error) {
            if (Date.now() > deadline) throw error;
          }
        }

        const shots = process.env.TALLY_E2E_SCREENSHOTS;
        if (shots) {
          mkdirSync(shots, { recursive: true });
          await viewer.screenshot({ path: path.join(shots, 'map-with-published-report.png') });
        }

        // The API agrees.
        const published = await getJson<ReportPageJson>(server, '/api/v1/reports');
        assert.equal(published.items.length, 1);
        const report = published.items[0]!;
        assert.equal(report.id, id);
        assert.equal(report.status, 'published');
        assert.equal(report.title, title);
        assert.deepEqual(report.categories, [flooding.id]);
        assert.equal(report.source, 'web');
        assert.ok(report.location);
        assert.equal(report.location.lat, lat);
        assert.equal(report.location.lon, lon);
        assertPagesHealthy();
      }),
  );

  test(
    'without JavaScript the plain form creates a pending report and thanks the reporter',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
        const volunteer = await signIn(server, 'volunteer@example.org', 'volunteer');
        const shelter = await createCategory(server, coordinator, 'Shelter', '#15803d');
        const title = 'Roof torn off the school';

        const page = await newPage(await newContext({ javaScriptEnabled: false }));
        await page.goto('/report');
        // No script ran: the location tools stay hidden and the categories are the server's <select>.
        assert.equal(await page.locator('#location-tools').isHidden(), true);
        await page.getByLabel('What happened?').fill(title);
        await page.getByLabel('Details').fill('The classrooms are open to the rain.');
        await page.locator('select#category').selectOption(shelter.id);
        // "When" stays empty: the server would have to read a datetime-local value.
        await page.getByLabel('Place name').fill('Gulu');
        await page.getByLabel('Latitude').fill('2.7724');
        await page.getByLabel('Longitude').fill('32.2881');
        await page.getByLabel('Your name').fill('Akello');
        await page.getByLabel('Phone or e-mail').fill('akello@example.org');

        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${server.url}/report` && r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Send report' }).click(),
        ]);
        assert.equal(response.status(), 201);
        const thanks = page.locator('.notice-success');
        await thanks.getByText('Thank you — your report was received.').waitFor();
        const id = await referenceIn(thanks);
        // A fresh form for the next report.
        assert.equal(await page.getByLabel('What happened?').inputValue(), '');

        const report = await getJson<ReportJson>(server, `/api/v1/reports/${id}`, volunteer);
        assert.equal(report.status, 'pending');
        assert.equal(report.title, title);
        assert.equal(report.description, 'The classrooms are open to the rain.');
        assert.deepEqual(report.categories, [shelter.id]);
        assert.equal(report.location_name, 'Gulu');
        assert.deepEqual(report.location && [report.location.lat, report.location.lon], [2.7724, 32.2881]);
        assert.equal(report.author_name, 'Akello');
        assert.equal(report.contact, 'akello@example.org');
        assert.equal(report.source, 'web');
        // Pending reports are not public.
        assert.deepEqual((await getJson<ReportPageJson>(server, '/api/v1/reports')).items, []);
        assertPagesHealthy();
      }),
  );

  test(
    'without JavaScript a report without a title is refused and what was typed is kept',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
        const volunteer = await signIn(server, 'volunteer@example.org', 'volunteer');
        const water = await createCategory(server, coordinator, 'Water', '#0369a1');

        const page = await newPage(await newContext({ javaScriptEnabled: false }));
        await page.goto('/report');
        // The browser itself refuses an empty required field, so this title is only blanks: the server
        // trims it and must refuse it.
        await page.getByLabel('What happened?').fill('   ');
        await page.getByLabel('Details').fill('The borehole pump is broken.');
        await page.locator('select#category').selectOption(water.id);
        await page.getByLabel('Place name').fill('Lira');
        await page.getByLabel('Latitude').fill('2.2499');
        await page.getByLabel('Longitude').fill('32.8999');
        await page.getByLabel('Phone or e-mail').fill('+256 700 000000');

        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${server.url}/report` && r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Send report' }).click(),
        ]);
        assert.equal(response.status(), 422);
        const error = page.getByRole('alert');
        await error.getByText('Please give your report a title.').waitFor();
        assert.equal(await page.locator('.notice-success').count(), 0);

        assert.equal(await page.getByLabel('Details').inputValue(), 'The borehole pump is broken.');
        const chosen = page.locator('select#category option[selected]');
        assert.equal(await chosen.count(), 1);
        assert.equal(await chosen.getAttribute('value'), water.id);
        assert.equal(await page.getByLabel('Place name').inputValue(), 'Lira');
        assert.equal(await page.getByLabel('Latitude').inputValue(), '2.2499');
        assert.equal(await page.getByLabel('Longitude').inputValue(), '32.8999');
        assert.equal(await page.getByLabel('Phone or e-mail').inputValue(), '+256 700 000000');

        // Nothing was stored.
        const all = await getJson<ReportPageJson>(server, '/api/v1/reports?status=pending', volunteer);
        assert.deepEqual(all.items, []);
        assertPagesHealthy();
      }),
  );

  test(
    'offline, the report is kept on the device and sent when the connection is back',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const volunteer = await signIn(server, 'volunteer@example.org', 'volunteer');
        const title = 'Bridge washed away';
        const context = await newContext();
        const page = await newPage(context);
        await page.goto('/report');
        // The script has started once the location tools are shown.
        await page.getByRole('button', { name: 'Pick on the map' }).waitFor();
        await page.getByLabel('What happened?').fill(title);
        await page.getByLabel('Latitude').fill('0.3476');
        await page.getByLabel('Longitude').fill('32.5825');

        await context.setOffline(true);
        await page.getByRole('button', { name: 'Send report' }).click();
        const saved = page.locator('#form-status .notice-info');
        await saved.getByText('Saved on this device; it will be sent when you are back online.').waitFor();
        await page.getByText('One report saved on this device is waiting to be sent.').waitFor();
        assert.deepEqual(
          (await savedQueue(context)).map((item) => item.body.title),
          [title],
        );
        const pendingWhileOffline = await getJson<ReportPageJson>(
          server,
          '/api/v1/reports?status=pending',
          volunteer,
        );
        assert.deepEqual(pendingWhileOffline.items, []);

        await context.setOffline(false);
        const sent = page.locator('#form-status .notice-success');
        await sent.getByText(`Your saved report “${title}” has been sent`).waitFor();
        const id = /reference ([0-9a-f-]{36})/.exec(await text(sent))?.[1];
        assert.ok(id, 'the reference is shown');
        // "Saved on this device" is gone, and so is the queue.
        assert.equal(await saved.count(), 0);
        await page.locator('#queue-status').waitFor({ state: 'hidden' });
        assert.deepEqual(await savedQueue(context), []);

        const pending = await getJson<ReportPageJson>(server, '/api/v1/reports?status=pending', volunteer);
        assert.deepEqual(
          pending.items.map((r) => [r.id, r.title, r.location?.lat, r.location?.lon]),
          [[id, title, 0.3476, 32.5825]],
        );
        assertPagesHealthy();
      }),
  );

  test(
    'the report page starts with at most 60 KB of gzipped JavaScript and without MapLibre',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const page = await newPage(await newContext());
        const scripts = new Set<string>();
        page.on('request', (request) => {
          const url = new URL(request.url());
          if (request.resourceType() === 'script' || /\.m?js$/.test(url.pathname)) scripts.add(url.href);
        });
        await page.goto('/report', { waitUntil: 'load' });
        await page.getByRole('button', { name: 'Pick on the map' }).waitFor();
        await page.waitForLoadState('networkidle');
        const initial = [...scripts];
        assert.ok(initial.length > 0, 'the page loads a script');

        let total = 0;
        const sizes: string[] = [];
        for (const url of initial) {
          assert.ok(url.startsWith(server.url), `${url} comes from the server`);
          const response = await fetch(url);
          assert.equal(response.status, 200, url);
          const gzipped = gzipSync(Buffer.from(await response.arrayBuffer()), { level: 9 }).length;
          sizes.push(`${new URL(url).pathname}: ${gzipped} B`);
          total += gzipped;
        }
        assert.ok(total <= 60 * 1024, `initial JavaScript is ${total} B gzipped:\n${sizes.join('\n')}`);
        for (const url of initial) assert.doesNotMatch(url, /maplibre|map-picker/i);

        // The check above would notice MapLibre: it is loaded as soon as the map picker is opened.
        const maplibre = page.waitForRequest((request) => /maplibre/i.test(request.url()));
        await page.getByRole('button', { name: 'Pick on the map' }).click();
        await maplibre;
        await page.locator('#picker .maplibregl-canvas').waitFor();
        assertPagesHealthy();
      }),
  );
});
