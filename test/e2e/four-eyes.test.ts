/**
 * End-to-end: four eyes on the volunteers' page. A volunteer's own report and own drive log are not offered
 * for publishing, rejecting or approving (another volunteer must), and the page says why; someone else's are.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { bgeigieSample } from '../helpers/sensors.js';
import { browserSkipReason, type TestServer } from '../helpers/server.js';
import { call, PASSWORD, signIn, withSession } from './browser-session.js';

const TEST_TIMEOUT = 60_000;

/** A drive log uploaded and submitted for review by the owner the token names. */
async function submittedDrive(server: TestServer, owner: string, name: string): Promise<void> {
  const upload = await fetch(`${server.url}/api/v1/sensors/imports?file_name=${name}.LOG`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(bgeigieSample('bGeigieNanoKit-204-0920.LOG')),
  });
  assert.equal(upload.status, 201, await upload.clone().text());
  const { id } = (await upload.json()) as { id: string };
  await call(server, 'POST', `/api/v1/sensors/imports/${id}/submit`, {
    token: owner,
    body: { name },
    status: 200,
  });
}

async function signInAsVolunteer(page: Page, email: string): Promise<void> {
  await page.goto('/volunteer');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Check reports' }).waitFor();
}

describe('four eyes on the volunteers’ page', { skip: browserSkipReason }, () => {
  test(
    'a volunteer is not offered to publish or reject their own report, and is told why; another’s they may publish',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const amina = await signIn(server, 'amina@example.org', 'volunteer');
        await call(server, 'POST', '/api/v1/reports', {
          token: amina,
          body: { title: 'Borehole at the school is dry', location: { lat: 0.3476, lon: 32.5825 } },
        });
        await call(server, 'POST', '/api/v1/reports', {
          body: { title: 'Bridge on the Kasese road washed away', location: { lat: 0.18, lon: 30.08 } },
        });

        const page = await newPage(await newContext());
        await signInAsVolunteer(page, 'amina@example.org');
        const own = page.getByRole('article', { name: 'Borehole at the school is dry' });
        await own.waitFor();
        await own
          .getByText('You submitted this report: another volunteer publishes or rejects it.')
          .waitFor();
        for (const name of ['Publish', 'Reject']) {
          const button = own.getByRole('button', { name });
          assert.equal(await button.isDisabled(), true, `${name} is disabled on one's own report`);
          assert.match(
            (await button.getAttribute('aria-describedby')) ?? '',
            /-own$/,
            `${name} names the reason`,
          );
        }
        assert.equal(await own.getByRole('button', { name: 'Edit' }).isDisabled(), false);

        const others = page.getByRole('article', { name: 'Bridge on the Kasese road washed away' });
        assert.equal(await others.getByText(/You submitted this report/).count(), 0);
        await others.getByRole('button', { name: 'Publish' }).click();
        await page.getByText('“Bridge on the Kasese road washed away” is published.').waitFor();
        assertPagesHealthy();
      }),
  );

  test(
    'a volunteer is not offered to approve or reject their own drive log; another’s they may',
    { timeout: TEST_TIMEOUT },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const brian = await signIn(server, 'brian@example.org', 'volunteer');
        const owner = await signIn(server, 'owner@example.org', 'reporter');
        await submittedDrive(server, brian, 'Brian around Schiphol');
        await submittedDrive(server, owner, 'Owner around Schiphol');

        const page = await newPage(await newContext());
        await signInAsVolunteer(page, 'brian@example.org');
        await page.getByRole('button', { name: 'Drive logs' }).click();
        const own = page.getByRole('article', { name: 'Brian around Schiphol' });
        await own
          .getByText('This is your own drive log: another volunteer approves or rejects it.')
          .waitFor();
        assert.equal(await own.getByRole('button', { name: 'Approve' }).count(), 0);
        assert.equal(await own.getByRole('button', { name: 'Reject' }).count(), 0);

        const others = page.getByRole('article', { name: 'Owner around Schiphol' });
        await others.getByRole('button', { name: 'Approve' }).click();
        await page.getByText('“Owner around Schiphol” is approved: its readings are on the map.').waitFor();
        assertPagesHealthy();
      }),
  );
});
