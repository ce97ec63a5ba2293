/**
 * End-to-end: an SMS arrives through Twilio's webhook, a volunteer makes a report of it in the inbox of the
 * volunteers' page, publishes it, and it is public.
 *
 * Set TALLY_E2E_SCREENSHOTS to a directory to keep a screenshot of the inbox.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { twilioSignature } from '../../src/messages/gateways/twilio.js';
import { browserSkipReason } from '../helpers/server.js';
import { call, PASSWORD, signIn, viewports, withSession } from './browser-session.js';

const authToken = 'f3b1c2d4e5a6978812345678abcdef01';

describe('the inbox in the browser', { skip: browserSkipReason }, () => {
  test('a volunteer triages an SMS into a report and publishes it', { timeout: 60_000 }, () =>
    withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
      const coordinator = await signIn(server, 'coordinator@example.org', 'coordinator');
      await call(server, 'POST', '/api/v1/channels', {
        token: coordinator,
        body: { id: 'twilio-ke', kind: 'twilio', secrets: { authToken } },
        status: 201,
      });
      const sms = {
        MessageSid: 'SM5f1d6d0e8c2a4b7f9e3a1c0d2b4f6a8e',
        From: '+256772000111',
        To: '+254700000000',
        Body: 'Mafuriko Kasese, barabara imefungwa',
        NumMedia: '0',
      };
      const url = `${server.url}/api/v1/inbound/twilio/twilio-ke`;
      const delivered = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(authToken, url, sms),
        },
        body: new URLSearchParams(sms).toString(),
      });
      assert.equal(delivered.status, 200, await delivered.text());

      await server.createUser('amina@example.org', 'volunteer', PASSWORD);
      const page = await newPage(await newContext({ viewport: viewports.desktop }));
      await page.goto('/volunteer');
      await page.getByLabel('E-mail').fill('amina@example.org');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Messages', exact: true }).click();
      const card = page.locator('article', { hasText: 'Mafuriko Kasese' });
      await card.waitFor();
      // The place it names is proposed; the sender's number is never shown.
      await card.getByText('Kasese, UG').waitFor();
      assert.doesNotMatch((await page.content()) ?? '', /256772000111/);
      const shots = process.env.TALLY_E2E_SCREENSHOTS;
      if (shots) {
        mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: path.join(shots, 'inbox.png'), fullPage: true });
      }
      await card.getByRole('button', { name: 'Make a report' }).click();
      await page.getByText('A report “Mafuriko Kasese, barabara imefungwa” was made').waitFor();

      await page.getByRole('button', { name: 'Reports', exact: true }).click();
      const report = page.locator('article', { hasText: 'Mafuriko Kasese, barabara imefungwa' });
      await report.getByRole('button', { name: 'Publish' }).click();
      await page.getByText('“Mafuriko Kasese, barabara imefungwa” is published.').waitFor();

      const published = await call<{ items: { title: string; source: string; location_name: string }[] }>(
        server,
        'GET',
        '/api/v1/reports',
      );
      assert.deepEqual(
        published.items.map((r) => [r.title, r.source, r.location_name]),
        [['Mafuriko Kasese, barabara imefungwa', 'sms', 'Kasese, UG']],
      );
      assertPagesHealthy();
    }),
  );

  test(
    'a coordinator adds a channel, sees where its gateway delivers, and never sees its secret again',
    { timeout: 60_000 },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        await server.createUser('baraka@example.org', 'coordinator', PASSWORD);
        const page = await newPage(await newContext({ viewport: viewports.desktop }));
        await page.goto('/volunteer');
        await page.getByLabel('E-mail').fill('baraka@example.org');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Channels', exact: true }).click();
        await page.getByLabel('Id (in the gateway’s address)').fill('kannel-ke');
        await page.getByRole('combobox').selectOption('kannel');
        await page.getByLabel('Name', { exact: true }).fill('Safaricom shortcode');
        await page.getByLabel('Secrets, one name=value a line').fill('secret=kannel-shared-secret-7d1e');
        await page.getByRole('button', { name: 'Add channel' }).click();
        await page.getByText('Channel kannel-ke added.').waitFor();
        const card = page.locator('article', { hasText: 'Safaricom shortcode' });
        await card.getByText(`${server.url}/api/v1/inbound/kannel/kannel-ke`).waitFor();
        assert.equal(await page.getByLabel('Secrets, one name=value a line').inputValue(), '');
        await page.reload();
        await page.getByRole('button', { name: 'Channels', exact: true }).click();
        await page.locator('article', { hasText: 'Safaricom shortcode' }).waitFor();
        assert.doesNotMatch(await page.content(), /kannel-shared-secret/);
        const shots = process.env.TALLY_E2E_SCREENSHOTS;
        if (shots) {
          mkdirSync(shots, { recursive: true });
          await page.screenshot({ path: path.join(shots, 'channels.png'), fullPage: true });
        }
        assertPagesHealthy();
      }),
  );
});
