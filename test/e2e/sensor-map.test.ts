/**
 * End-to-end: sensor readings on the public map. A sensor owner uploads a real bGeigie drive log, a volunteer
 * approves it, and a visitor switches the map to sensor readings, sees the hexagons with their colour scale,
 * opens one (its figures, its daily chart and the drive through it, drawn on the map) and a fixed sensor's
 * readings over time.
 *
 * The drive log is Safecast's sample from Safecast/bGeigieNanoKit (`sample/204-0920.LOG`), kept in
 * ../shared/data/bgeigie/bGeigieNanoKit-204-0920.LOG: a bGeigie Nano switched on around Amsterdam (Schiphol),
 * lat 52.31, lon 4.76, on 20 September 2012.
 *
 * Set TALLY_E2E_SCREENSHOTS to a directory to keep screenshots of the sensor map on a desktop and a phone.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { bgeigieSample } from '../helpers/sensors.js';
import { browserSkipReason, type TestServer } from '../helpers/server.js';
import { call, signIn, viewports, withSession } from './browser-session.js';

const TEST_TIMEOUT = 180_000;
const LOG_FILE = 'bGeigieNanoKit-204-0920.LOG';

interface CellFeature {
  properties: { cell: string; count: number; mean: number };
  geometry: { coordinates: [number, number][][] };
}

/* ---------- Setting the scene through the API, as a sensor owner and a volunteer would ---------- */

async function approvedDrive(server: TestServer, owner: string, volunteer: string): Promise<string> {
  const { device } = await call<{ device: { id: string } }>(server, 'POST', '/api/v1/sensors/devices', {
    token: owner,
    body: { name: 'bGeigie Nano 204', model: 'bGeigie Nano', sensor: 'LND 7317', mobility: 'mobile' },
  });
  const upload = await fetch(
    `${server.url}/api/v1/sensors/imports?file_name=204-0920.LOG&device_id=${device.id}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bgeigieSample(LOG_FILE)),
    },
  );
  assert.equal(upload.status, 201, await upload.clone().text());
  const { id } = (await upload.json()) as { id: string };
  await call(server, 'POST', `/api/v1/sensors/imports/${id}/submit`, {
    token: owner,
    body: { name: 'Around Schiphol' },
    status: 200,
  });
  const approved = await call<{ status: string }>(server, 'POST', `/api/v1/sensors/imports/${id}/approve`, {
    token: volunteer,
    body: {},
    status: 200,
  });
  assert.equal(approved.status, 'approved');
  return id;
}

/** A fixed counter on a roof, with a day of hourly readings. */
async function fixedSensor(server: TestServer, owner: string, where: { lat: number; lon: number }) {
  const { token } = await call<{ token: string }>(server, 'POST', '/api/v1/sensors/devices', {
    token: owner,
    body: {
      name: 'Rooftop counter',
      model: 'bGeigie Zen',
      sensor: 'LND 7317',
      mobility: 'fixed',
      location: where,
      location_precision: 'exact',
    },
  });
  const start = Date.parse('2026-11-20T00:00:00Z');
  const readings = Array.from({ length: 24 }, (_, hour) => ({
    captured_at: new Date(start + hour * 3_600_000).toISOString(),
    cpm: 30 + ((hour * 7) % 13),
  }));
  const response = await fetch(`${server.url}/api/v1/sensors/readings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ readings }),
  });
  assert.equal(response.status, 200, await response.text());
}

/** The busiest hexagon of the drive at the finest resolution, and its centre. */
async function busiestCell(server: TestServer) {
  const cells = await call<{ features: CellFeature[] }>(
    server,
    'GET',
    '/api/v1/sensors/cells?bbox=4.6,52.2,4.9,52.4&zoom=14&quantity=radiation',
  );
  assert.ok(cells.features.length > 10, `the drive makes hexagons: ${cells.features.length}`);
  const [busiest] = [...cells.features].sort((a, b) => b.properties.count - a.properties.count);
  assert.ok(busiest);
  const ring = (busiest.geometry.coordinates[0] ?? []).slice(0, -1);
  const lon = ring.reduce((sum, [x]) => sum + x, 0) / ring.length;
  const lat = ring.reduce((sum, [, y]) => sum + y, 0) / ring.length;
  return { ...busiest.properties, lat, lon };
}

/* ---------- Reading the page ---------- */

/**
 * What the window shows. Not a full-page screenshot: that stretches the window to the page's height, and the
 * map, sized to a share of the window, is caught half redrawn.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.TALLY_E2E_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

async function until(condition: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`still not so after ${timeout} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the map element carries `data-{name}` with a value `accept` likes, and answers it. */
async function mapData(page: Page, name: string, accept: (value: number) => boolean): Promise<number> {
  const map = page.locator('.map');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = Number((await map.getAttribute(`data-${name}`)) ?? Number.NaN);
    if (accept(value)) return value;
    if (Date.now() > deadline) assert.fail(`data-${name} is ${value}`);
    await page.waitForTimeout(100);
  }
}

/** Clicks the middle of the map until what it shows there answers: tiles of a new view may still be coming. */
async function clickMapCentre(page: Page, answer: Locator): Promise<void> {
  const canvas = page.locator('.maplibregl-canvas');
  const size = await canvas.boundingBox();
  assert.ok(size, 'the map canvas is laid out');
  const deadline = Date.now() + 15_000;
  for (;;) {
    await canvas.click({ position: { x: size.width / 2, y: size.height / 2 } });
    try {
      await answer.waitFor({ timeout: 1_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('the sensor map in the browser', { skip: browserSkipReason }, () => {
  test(
    'an approved drive shows as coloured hexagons; one opens with its figures, daily chart and route',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const owner = await signIn(server, 'owner@example.org', 'reporter');
        const volunteer = await signIn(server, 'volunteer@example.org', 'volunteer');
        await approvedDrive(server, owner, volunteer);
        const rooftop = { lat: 52.3165, lon: 4.7885 };
        await fixedSensor(server, owner, rooftop);
        const cell = await busiestCell(server);

        for (const [name, viewport] of Object.entries(viewports)) {
          const page = await newPage(await newContext({ viewport }));
          const requests: string[] = [];
          page.on('request', (request) => requests.push(request.url()));
          const consoleErrors: string[] = [];
          page.on('console', (message) => {
            if (message.type() === 'error') consoleErrors.push(message.text());
          });
          await page.goto(`/#map=14/${cell.lat}/${cell.lon}`);
          await page.locator('.maplibregl-canvas').waitFor();

          // Reports are shown at first; sensor readings are one checkbox away, radiation by default.
          const sensors = page.getByRole('checkbox', { name: 'Sensors' });
          assert.equal(await sensors.isChecked(), false);
          assert.equal(await page.getByRole('checkbox', { name: 'Reports' }).isChecked(), true);
          await sensors.check();
          const quantity = page.getByLabel('Measurement');
          await quantity.waitFor();
          assert.equal(await quantity.inputValue(), 'radiation');
          // Only what this deployment has readings of is offered, once that is known.
          await until(async () => (await quantity.locator('option').count()) === 1);
          assert.deepEqual(await quantity.locator('option').allTextContents(), ['Radiation dose rate']);
          assert.match(page.url(), /layers=reports%2Csensors|layers=reports,sensors/);

          const loaded = await mapData(page, 'sensor-cells', (n) => n > 0);
          const legend = page.locator('.sensor-legend');
          if (name === 'phone') await legend.locator('summary').click();
          await legend.getByText('Radiation dose rate, µSv/h').waitFor();
          await legend.getByText('0.1 to 0.2').waitFor();
          await legend.getByText(`${loaded.toLocaleString()} hexagons with readings in view.`).waitFor();
          await screenshot(page, `sensor-map-legend-${name}`);
          if (name === 'phone') await legend.locator('summary').click();

          // The chart library is fetched only when a panel first needs it.
          const chartCode = (url: string) => /\/assets\/series-chart-[^/]*\.js$/.test(url);
          assert.deepEqual(requests.filter(chartCode), []);

          // The hexagon in the middle of the view is drawn there: clicking it opens its details.
          const panel = page.getByRole('region', { name: 'Readings in this hexagon' });
          await clickMapCentre(page, panel);
          await panel.locator('[data-stat="count"]').waitFor();
          assert.equal(await text(panel.locator('[data-stat="count"]')), cell.count.toLocaleString('en'));
          assert.match(await text(panel.locator('[data-stat="mean"]')), /^0\.\d+\s?µSv\/h$/);
          await panel.getByText('Daily mean and highest value').waitFor();
          await panel.locator('.series-chart canvas').waitFor();
          assert.equal(requests.filter(chartCode).length, 1);
          // The drive through it is listed, and its route is on the map.
          await panel.getByText('Around Schiphol').waitFor();
          assert.equal(await mapData(page, 'sensor-tracks', (n) => n === 1), 1);
          assert.ok((await mapData(page, 'sensor-track-points', (n) => n > 100)) > 100);
          // On a phone the sheet takes the legend's place.
          if (name === 'desktop') await legend.getByText('Drive through the chosen hexagon').waitFor();
          await page.waitForTimeout(400);
          await screenshot(page, `sensor-map-hexagon-${name}`);

          // Esc closes the panel and takes the route away.
          await page.keyboard.press('Escape');
          await panel.waitFor({ state: 'detached' });
          assert.equal(await mapData(page, 'sensor-track-points', (n) => n === 0), 0);

          // A fixed sensor opens its readings over time.
          // The view is in the address: changing it moves the map, as a shared link would.
          await page.evaluate(`location.hash = 'map=15/${rooftop.lat}/${rooftop.lon}'`);
          const device = page.getByRole('region', { name: 'Rooftop counter' });
          await clickMapCentre(page, device);
          await device.getByText(/^Mean and highest value per /).waitFor();
          await device.locator('.series-chart canvas').waitFor();
          assert.equal(await text(device.locator('[data-stat="count"]')), '24');
          await page.waitForTimeout(300);
          await screenshot(page, `sensor-map-device-${name}`);
          await device.getByRole('button', { name: 'Close the sensor details' }).click();
          await device.waitFor({ state: 'detached' });

          // Nothing left the server: the map works offline.
          const elsewhere = requests.filter(
            (url) => !/^(data|blob):/.test(url) && !url.startsWith(server.url),
          );
          assert.deepEqual(elsewhere, []);
          assert.deepEqual(consoleErrors, []);
        }
        assertPagesHealthy();
      }),
  );
});
