/**
 * End-to-end: the public record as people see it in the browser. The about page shows the deployment's key
 * and its latest signed checkpoint; a report's page shows its verification, the volunteers' checks and its
 * entries on the record, and takes a signed-in volunteer's check; the map filters by verification.
 *
 * Set TALLY_E2E_SCREENSHOTS to a directory to keep screenshots of these pages on a desktop and a phone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { browserSkipReason } from '../helpers/server.js';
import {
  call,
  PASSWORD,
  publishedReport,
  type ReportJson,
  screenshot,
  signIn,
  viewports,
  vote,
  withSession,
} from './browser-session.js';

const TEST_TIMEOUT = 60_000;

interface LedgerKeyJson {
  origin: string;
  key_id: string;
  public_key: string;
  verifier_key: string;
}

interface ProofJson {
  index: number;
  tree_size: number;
  leaf_hash: string;
  hashes: string[];
}

async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** Waits until `locator` matches `n` elements: lists are refilled after each change of the filters. */
async function countIs(locator: Locator, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await locator.count()) !== n) {
    if (Date.now() > deadline) assert.fail(`expected ${n} elements, found ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The tree size a checkpoint note names on its second line. */
function treeSizeOf(note: string): number {
  const size = note.split('\n')[1];
  assert.match(size ?? '', /^\d+$/, `a checkpoint: ${note}`);
  return Number(size);
}

/** Answers /api/v1/config as a read-only mirror of another deployment would. */
async function pretendMirror(page: Page): Promise<void> {
  await page.route('**/api/v1/config', async (route) => {
    const response = await route.fetch();
    const config = (await response.json()) as Record<string, unknown>;
    await route.fulfill({
      response,
      json: {
        ...config,
        mirror_of: {
          origin: 'reports.example.org/tally',
          url: 'https://reports.example.org',
          synced_at: '2026-11-20T08:30:00Z',
        },
      },
    });
  });
}

describe('the public record in the browser', { skip: browserSkipReason }, () => {
  test(
    'the about page shows the verifier key and a checkpoint as large as the API says',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
        await publishedReport(server, coordinator, { title: 'Well water is brown', lat: -1.31, lon: 36.79 });
        const key = await call<LedgerKeyJson>(server, 'GET', '/api/v1/ledger/key');
        const config = await call<{ license: { name: string } }>(server, 'GET', '/api/v1/config');
        const note = await call<string>(server, 'GET', '/api/v1/ledger/checkpoint');
        const size = treeSizeOf(note);
        assert.ok(size >= 1, `the publication is on the record: ${size}`);

        for (const [name, viewport] of Object.entries(viewports)) {
          const page = await newPage(await newContext({ viewport }));
          await page.goto('/');
          // Every page's header leads to the about page.
          await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'About' }).click();
          await page.waitForURL('**/about');
          await page.getByRole('heading', { level: 1, name: 'About Tally' }).waitFor();
          assert.equal(await page.getByRole('link', { name: 'About' }).getAttribute('aria-current'), 'page');

          await page.locator('.verifier-key').getByText(key.verifier_key, { exact: true }).waitFor();
          assert.match(await text(page.locator('.key-facts')), new RegExp(key.origin));
          assert.match(await text(page.locator('.key-facts')), new RegExp(key.key_id));

          const shown = page.locator('pre.checkpoint');
          await shown.waitFor();
          const shownNote = await text(shown);
          assert.equal(treeSizeOf(shownNote), size);
          assert.equal(shownNote, note, 'the checkpoint is shown as served');
          assert.equal(
            await text(page.locator('.tree-size')),
            `The record holds ${size.toLocaleString('en')} entries.`,
          );
          // The licence, from the settings.
          assert.equal(
            await page.getByRole('link', { name: config.license.name }).getAttribute('rel'),
            'license',
          );

          // The commands name this deployment.
          const commands = await page.locator('#verify pre.command').allTextContents();
          assert.ok(commands.includes(`curl -s ${server.url}/api/v1/ledger/checkpoint`), commands.join('\n'));
          assert.ok(commands.some((command) => command.includes(`tally mirror ${server.url}`)));
          assert.match(await text(page.locator('#verify')), /SHA-256\(0x00 ‖ leaf\)/);
          assert.equal(await page.locator('.mirror-banner').count(), 0, 'not a mirror');
          await screenshot(page, `about-${name}`);
        }

        // A mirror says whose copy it is.
        const mirror = await newPage(await newContext());
        await pretendMirror(mirror);
        await mirror.goto('/about');
        const banner = mirror.locator('.mirror-banner');
        await banner.waitFor();
        assert.match(
          await text(banner),
          /^Mirror of reports\.example\.org\/tally \(https:\/\/reports\.example\.org\), last synced .+2026/,
        );
        await screenshot(mirror, 'about-mirror-desktop');
        await mirror.goto('/');
        await mirror.locator('.mirror-banner').getByText('Mirror of reports.example.org/tally').waitFor();
        assertPagesHealthy();
      }),
  );

  test(
    "a report two volunteers confirmed shows as verified, with their checks and the report's history",
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
        const amina = await signIn(server, 'amina@example.org', 'volunteer');
        const brian = await signIn(server, 'brian@example.org', 'volunteer');
        await server.createUser('chebet@example.org', 'volunteer', PASSWORD);
        const health = await call<{ id: string }>(server, 'POST', '/api/v1/categories', {
          token: coordinator,
          body: { name: 'Health', color: '#b91c1c' },
        });
        const title = 'Clinic out of oral rehydration salts';
        const report = await publishedReport(server, coordinator, {
          title,
          lat: -1.3133,
          lon: 36.7876,
          categories: [health.id],
        });
        await vote(server, amina, report.id, 'confirm', 'Visited the clinic at noon: the shelves are empty.');
        const confirmed = await vote(
          server,
          brian,
          report.id,
          'confirm',
          'The nurse in charge confirmed it by phone.',
        );
        assert.equal(confirmed.verification, 'verified');
        const history = await call<{ entries: { index: number; action: string; actor: string }[] }>(
          server,
          'GET',
          `/api/v1/reports/${report.id}/history`,
        );
        assert.deepEqual(
          history.entries.map((entry) => entry.action),
          ['report.published', 'vote.cast', 'vote.cast'],
        );

        // From the map's list to the report's page.
        const viewer = await newPage(await newContext());
        await viewer.goto('/');
        await viewer.getByRole('link', { name: `Details and history of “${title}”` }).click();
        await viewer.waitForURL(`**/reports/${report.id}`);

        await viewer.getByRole('heading', { level: 1, name: title }).waitFor();
        const badge = viewer.locator('.report-head .badge');
        assert.equal((await text(badge)).trim(), '✓Verified');
        assert.match(
          await text(viewer.locator('.verification-line')),
          /Confirmed by several independent volunteers/,
        );
        const facts = viewer.locator('.facts');
        assert.match(await text(facts), /Health/);
        assert.match(await text(facts), /Kibera, Nairobi/);
        assert.match(await text(facts), /-1\.31330, 36\.78760/);
        assert.ok(report.published_by, 'the report names its publisher');
        assert.match(await text(facts), new RegExp(report.published_by));
        assert.equal(await viewer.title(), `${title} · Tally`);

        const votes = viewer.locator('.votes > li');
        assert.equal(await votes.count(), 2);
        for (const [i, expected] of confirmed.votes.entries()) {
          const shown = await text(votes.nth(i));
          assert.match(shown, /^Confirmed by /);
          assert.ok(shown.includes(expected.voter), `${shown} names ${expected.voter}`);
          assert.ok(shown.includes(expected.reason), `${shown} gives the reason`);
        }
        // Not signed in: no form, but a way to sign in.
        assert.equal(await viewer.getByRole('button', { name: 'Send my check' }).count(), 0);
        await viewer.getByRole('link', { name: 'the volunteers’ page' }).waitFor();

        const entries = viewer.locator('.history > li');
        assert.equal(await entries.count(), 3);
        const words = ['Published', 'Checked by a volunteer', 'Checked by a volunteer'];
        for (const [i, entry] of history.entries.entries()) {
          const item = entries.nth(i);
          const shown = await text(item);
          assert.ok(shown.includes(`Entry ${entry.index}`), shown);
          assert.ok(shown.includes(words[i]!), shown);
          assert.ok(shown.includes(entry.actor), shown);
          // Each entry links to its inclusion proof, which the API answers.
          const href = await item
            .getByRole('link', { name: `Inclusion proof of entry ${entry.index} (JSON)` })
            .getAttribute('href');
          assert.ok(href, 'a link to the proof');
          const proof = await call<ProofJson>(server, 'GET', href);
          assert.equal(proof.index, entry.index);
          assert.ok(proof.tree_size > entry.index);
        }
        assert.match(await text(entries.nth(2)), /Confirmed\. After this check the report was verified\./);
        await screenshot(viewer, 'report-verified-desktop');

        // A third volunteer, signed in on the volunteers' page, asks for more; a second check is refused.
        const volunteer = await newPage(await newContext({ viewport: viewports.phone }));
        await volunteer.goto('/volunteer');
        await volunteer.getByLabel('E-mail').fill('chebet@example.org');
        await volunteer.getByLabel('Password').fill(PASSWORD);
        await volunteer.getByRole('button', { name: 'Sign in' }).click();
        await volunteer.getByRole('heading', { name: 'Check reports' }).waitFor();
        await volunteer.getByRole('button', { name: 'Published' }).click();
        await volunteer.getByRole('link', { name: `Report page: checks and history of “${title}”` }).click();
        await volunteer.waitForURL(`**/reports/${report.id}`);
        const form = volunteer.getByRole('form', { name: 'Check this report' });
        await form.waitFor();
        await form.getByLabel('Needs more information').check();
        await form
          .getByLabel('Reason')
          .fill('Which clinic: the one by the railway or the one by the market?');
        await form.getByRole('button', { name: 'Send my check' }).click();
        await volunteer.getByText('Thank you. Your check is recorded.').waitFor();
        await volunteer.locator('.votes > li').nth(2).getByText('Needs more information').waitFor();
        await volunteer.locator('.history > li').nth(3).getByText('Checked by a volunteer').waitFor();
        assert.equal((await text(volunteer.locator('.report-head .badge'))).trim(), '✓Verified');
        await screenshot(volunteer, 'report-voted-phone');

        // The form is gone once the check is made; coming back, a second check is refused.
        await form.waitFor({ state: 'detached' });
        await volunteer.reload();
        await form.getByLabel('Confirm: it is true as reported').check();
        await form.getByLabel('Reason').fill('Changed my mind.');
        await form.getByRole('button', { name: 'Send my check' }).click();
        await form
          .getByRole('alert')
          .getByText('You have already checked this report. Each volunteer checks a report once.')
          .waitFor();
        const after = await call<ReportJson>(server, 'GET', `/api/v1/reports/${report.id}`);
        assert.deepEqual(
          after.votes.map((v) => v.verdict),
          ['confirm', 'confirm', 'needs_info'],
        );
        assertPagesHealthy();
      }),
  );

  test(
    'a volunteer cannot check a report they sent themselves, and is told why',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
        const dawit = await signIn(server, 'dawit@example.org', 'volunteer');
        const created = await call<ReportJson>(server, 'POST', '/api/v1/reports', {
          token: dawit,
          body: { title: 'Market stalls burnt', location: { lat: 0.3476, lon: 32.5825 } },
        });
        await call(server, 'PATCH', `/api/v1/reports/${created.id}`, {
          token: coordinator,
          body: { status: 'published' },
        });

        const page = await newPage(await newContext());
        await page.goto('/volunteer');
        await page.getByLabel('E-mail').fill('dawit@example.org');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Check reports' }).waitFor();
        await page.goto(`/reports/${created.id}`);
        const form = page.getByRole('form', { name: 'Check this report' });
        await form.getByLabel('Confirm: it is true as reported').check();
        await form.getByLabel('Reason').fill('I was there.');
        await form.getByRole('button', { name: 'Send my check' }).click();
        await form
          .getByRole('alert')
          .getByText(/You cannot check a report that you sent/)
          .waitFor();
        assert.equal((await text(page.locator('.report-head .badge'))).trim(), '?Unverified');
        assert.equal(await page.locator('.votes > li').count(), 0);

        // The page where checks are clicked may not be framed by another site.
        const served = await fetch(`${server.url}/reports/${created.id}`);
        assert.equal(served.status, 200);
        assert.equal(served.headers.get('x-frame-options'), 'DENY');

        // An address that names no public report says so.
        await page.goto('/reports/01a0000-no-such-report');
        await page
          .getByRole('alert')
          .getByText(/There is no public report with this reference/)
          .waitFor();
        assertPagesHealthy();
      }),
  );

  test(
    "the map's verification filter narrows the list, the markers and the downloads",
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
        const amina = await signIn(server, 'amina@example.org', 'volunteer');
        const brian = await signIn(server, 'brian@example.org', 'volunteer');
        const verified = await publishedReport(server, coordinator, {
          title: 'Borehole pump broken',
          lat: -1.3,
          lon: 36.8,
        });
        const disputed = await publishedReport(server, coordinator, {
          title: 'School closed by the flood',
          lat: -1.25,
          lon: 36.85,
        });
        await publishedReport(server, coordinator, {
          title: 'Power lines down',
          lat: -1.35,
          lon: 36.75,
        });
        await vote(server, amina, verified.id, 'confirm', 'Saw the pump myself.');
        await vote(server, brian, verified.id, 'confirm', 'The water committee confirms.');
        await vote(server, amina, disputed.id, 'confirm', 'The gate is locked.');
        await vote(server, brian, disputed.id, 'reject', 'Classes went on as usual today.');

        const page = await newPage(await newContext());
        await page.goto('/');
        await page.getByText('3 reports match the filters.').waitFor();
        const list = page.locator('#list');
        const titles = async () =>
          (await list.locator('.report-title').allTextContents()).sort((a, b) => a.localeCompare(b));
        await list.getByText('Power lines down').waitFor();
        assert.deepEqual(await titles(), [
          'Borehole pump broken',
          'Power lines down',
          'School closed by the flood',
        ]);
        // Each item says its state in words.
        const item = page.getByRole('button', { name: 'Show “School closed by the flood” on the map' });
        assert.match(await text(item), /Disputed/);

        const filter = page.getByLabel('Verification');
        const expectations = [
          ['verified', '1 report matches the filters.', ['Borehole pump broken']],
          ['disputed', '1 report matches the filters.', ['School closed by the flood']],
          ['unverified', '1 report matches the filters.', ['Power lines down']],
        ] as const;
        for (const [state, count, shown] of expectations) {
          await filter.selectOption(state);
          await page.getByText(count).waitFor();
          await list.getByText(shown[0]).waitFor();
          await countIs(list.locator('.report-title'), shown.length);
          assert.deepEqual(await titles(), [...shown]);
          assert.match(page.url(), new RegExp(`[?&]verification=${state}`));
          for (const format of ['CSV', 'GeoJSON', 'KML']) {
            const href = await page.getByRole('link', { name: format, exact: true }).getAttribute('href');
            assert.match(href ?? '', new RegExp(`[?&]verification=${state}(&|$)`), `${format}: ${href}`);
          }
          if (state === 'verified') await screenshot(page, 'map-verified-desktop');
        }
        // The download with the filter holds only those reports.
        const csvHref = await page.getByRole('link', { name: 'CSV', exact: true }).getAttribute('href');
        const csv = await call<string>(server, 'GET', csvHref ?? '');
        assert.match(csv, /Power lines down/);
        assert.doesNotMatch(csv, /Borehole pump broken|School closed by the flood/);

        await filter.selectOption('all');
        await page.getByText('3 reports match the filters.').waitFor();
        assert.doesNotMatch(page.url(), /verification=/);

        // The filter is kept in the address: a shared link opens with it.
        await page.goto('/?verification=disputed');
        await page.getByText('1 report matches the filters.').waitFor();
        assert.equal(await filter.inputValue(), 'disputed');
        // The legend explains the markers in words.
        const legend = page.locator('.legend');
        assert.match(await text(legend), /Verified.+Unverified.+Disputed/s);

        // A marker's popup leads to the report's page.
        await page.getByRole('button', { name: 'Show “School closed by the flood” on the map' }).click();
        const popup = page.locator('.maplibregl-popup');
        await popup.getByRole('heading', { name: 'School closed by the flood' }).waitFor();
        assert.match(await text(popup), /Disputed/);
        await screenshot(page, 'map-popup-desktop');
        await popup.getByRole('link', { name: 'Details and history' }).click();
        await page.waitForURL(`**/reports/${disputed.id}`);
        assert.equal((await text(page.locator('.report-head .badge'))).trim(), '!Disputed');

        const phone = await newPage(await newContext({ viewport: viewports.phone }));
        await phone.goto('/?verification=verified');
        await phone.getByText('1 report matches the filters.').waitFor();
        await phone.locator('#list').getByText('Borehole pump broken').waitFor();
        await screenshot(phone, 'map-verified-phone');
        assertPagesHealthy();
      }),
  );
});
