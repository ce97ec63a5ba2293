/**
 * End-to-end: every page works under Tally's Content-Security-Policy with nothing blocked (browser-session.ts
 * fails a test on any violation): the map with MapLibre's worker and the offline basemap, a basemap from a
 * tile server of its own origin, the report form with and without JavaScript, the volunteers' and sensors'
 * pages after signing in through their forms, a report's page, the about page and the API documentation; and
 * the map shown in a frame by a site TALLY_EMBED_ORIGINS names.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { browserSkipReason } from '../helpers/server.js';
import { PASSWORD, publishedReport, signIn, withSession } from './browser-session.js';

const TEST_TIMEOUT = 90_000;

/** A 256×256 PNG of one colour, built here so that the tile server needs no file. */
function tilePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(256, 0);
  header.writeUInt32BE(256, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(256 * 3, 0xcc)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: 256 }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A server on its own loopback port, so on another origin than Tally; closed by the returned function. */
async function otherOrigin(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Opens the map and waits until MapLibre's worker has drawn it from the bundled world outline. */
async function openMap(page: Page, address = '/'): Promise<void> {
  const worker = page.waitForEvent('worker');
  const outline = page.waitForResponse((response) => response.url().endsWith('/basemap/countries.geojson'));
  await page.goto(address);
  await page.locator('.maplibregl-canvas').waitFor();
  assert.match((await worker).url(), /\/assets\/maplibre-gl-worker-[\w-]+\.js$/);
  assert.equal((await outline).status(), 200);
}

async function signInThroughForm(page: Page, address: string, email: string): Promise<void> {
  await page.goto(address);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the pages under the Content-Security-Policy', { skip: browserSkipReason }, () => {
  test('every page loads and works with nothing blocked', { timeout: TEST_TIMEOUT }, () =>
    withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
      const coordinator = await signIn(server, 'grace@example.org', 'coordinator');
      const report = await publishedReport(server, coordinator, {
        title: 'Burst pipe on Ngong Road',
        lat: -1.3133,
        lon: 36.7876,
      });
      const page = await newPage(await newContext());
      await openMap(page);

      await page.goto('/report');
      await page.getByRole('button', { name: 'Pick on the map' }).click();
      await page.locator('#picker .maplibregl-canvas').waitFor();

      await page.goto(`/reports/${report.id}`);
      await page.getByRole('heading', { level: 1, name: 'Burst pipe on Ngong Road' }).waitFor();

      await page.goto('/about');
      await page.getByRole('heading', { level: 1, name: 'About Tally' }).waitFor();

      await page.goto('/api/docs');
      await page.locator('.swagger-ui .info').getByText('Tally API').first().waitFor();

      // Signing in posts from the page itself, so its Origin is the deployment's.
      await server.createUser('amina@example.org', 'volunteer', PASSWORD);
      await signInThroughForm(page, '/volunteer', 'amina@example.org');
      await page.getByRole('heading', { name: 'Check reports' }).waitFor();

      const owner = await newPage(await newContext());
      await server.createUser('kenji@example.org', 'reporter', PASSWORD);
      await signInThroughForm(owner, '/sensors', 'kenji@example.org');
      await owner.getByRole('heading', { name: 'My sensors', level: 1 }).waitFor();
      await owner.getByText('You have no devices yet.').waitFor();
      assertPagesHealthy();
    }),
  );

  test(
    'a signed-in reader sends the report form without JavaScript: the browser says it comes from the deployment',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const token = await signIn(server, 'akello@example.org', 'reporter');
        const context = await newContext({ javaScriptEnabled: false });
        await context.addCookies([{ name: 'tally_session', value: token, url: server.url }]);
        const page = await newPage(context);
        await page.goto('/report');
        await page.getByLabel('What happened?').fill('Streetlight out on Moi Avenue');
        await page.getByLabel('Latitude').fill('-1.2833');
        await page.getByLabel('Longitude').fill('36.8219');
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${server.url}/report` && r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Send report' }).click(),
        ]);
        assert.equal(response.status(), 201, await response.text());
        await page.getByText('Thank you — your report was received.').waitFor();
        assertPagesHealthy();
      }),
  );

  test('a basemap from a tile server of another origin is drawn', { timeout: TEST_TIMEOUT }, async () => {
    const png = tilePng();
    const tiles = await otherOrigin((request, response) => {
      response.writeHead(/^\/\d+\/\d+\/\d+\.png$/.test(request.url ?? '') ? 200 : 404, {
        'content-type': 'image/png',
        'access-control-allow-origin': '*',
      });
      response.end(png);
    });
    try {
      await withSession(
        async ({ newContext, newPage, assertPagesHealthy }) => {
          const page = await newPage(await newContext());
          const tile = page.waitForResponse((response) => response.url().startsWith(tiles.url));
          await page.goto('/');
          await page.locator('.maplibregl-canvas').waitFor();
          assert.equal((await tile).status(), 200);
          assertPagesHealthy();
        },
        { TALLY_BASEMAP_TILE_URL: `${tiles.url}/{z}/{x}/{y}.png` },
      );
    } finally {
      await tiles.close();
    }
  });

  test('a site named in TALLY_EMBED_ORIGINS shows the map in a frame', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    let tallyUrl = '';
    const news = await otherOrigin((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><title>News</title><iframe title="Reports" src="${tallyUrl}/" width="800" height="600"></iframe>`,
      );
    });
    try {
      await withSession(
        async ({ server, newContext, newPage, assertPagesHealthy }) => {
          tallyUrl = server.url;
          const page = await newPage(await newContext());
          await page.goto(news.url);
          await page.frameLocator('iframe[title="Reports"]').locator('.maplibregl-canvas').waitFor();
          assertPagesHealthy();
        },
        { TALLY_EMBED_ORIGINS: news.url },
      );
    } finally {
      await news.close();
    }
  });
});
