/**
 * End-to-end: a coordinator switches a channel off on the volunteers' page, its gateway is then refused,
 * switches it on again, and deletes it after a confirmation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSkipReason } from '../helpers/server.js';
import { call, PASSWORD, signIn, viewports, withSession } from './browser-session.js';

const kannelSecret = 'kannel-shared-secret-7d1e';

describe('channels in the browser', { skip: browserSkipReason }, () => {
  test(
    'a coordinator switches a channel off and on, then deletes it after confirming',
    { timeout: 60_000 },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        const token = await signIn(server, 'lead@example.org', 'coordinator');
        await call(server, 'POST', '/api/v1/channels', {
          token,
          body: {
            id: 'kannel-ke',
            kind: 'kannel',
            name: 'Safaricom shortcode',
            secrets: { secret: kannelSecret },
          },
          status: 201,
        });
        const gateway = () =>
          fetch(
            `${server.url}/api/v1/inbound/kannel/kannel-ke?${new URLSearchParams({
              secret: kannelSecret,
              from: '+254722000111',
              text: 'Moto sokoni',
              id: `k-${Math.random()}`,
            })}`,
          );

        await server.createUser('baraka@example.org', 'coordinator', PASSWORD);
        const page = await newPage(await newContext({ viewport: viewports.desktop }));
        await page.goto('/volunteer');
        await page.getByLabel('E-mail').fill('baraka@example.org');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Channels', exact: true }).click();
        const card = page.locator('article', { hasText: 'Safaricom shortcode' });

        await card.getByRole('button', { name: 'Switch off Safaricom shortcode' }).click();
        await page.getByText('Channel kannel-ke is switched off.').waitFor();
        await card.getByText('Switched off', { exact: false }).waitFor();
        const refused = await gateway();
        assert.equal(refused.status, 403);
        assert.equal(((await refused.json()) as { code: string }).code, 'channel_disabled');

        await card.getByRole('button', { name: 'Switch on Safaricom shortcode' }).click();
        await page.getByText('Channel kannel-ke is switched on again.').waitFor();
        assert.equal((await gateway()).status, 200);

        await card.getByRole('button', { name: 'Delete Safaricom shortcode' }).click();
        await card.getByText('Its id cannot be used again.', { exact: false }).waitFor();
        await card.getByRole('button', { name: 'Delete the channel' }).click();
        await page.getByText('Channel kannel-ke is deleted; its messages stay in the inbox.').waitFor();
        assert.equal(await page.locator('article', { hasText: 'Safaricom shortcode' }).count(), 0);
        assert.equal((await gateway()).status, 410);

        const messages = await call<{ data: { text: string }[] }>(server, 'GET', '/api/v1/messages', {
          token,
        });
        assert.deepEqual(
          messages.data.map((message) => message.text),
          ['Moto sokoni'],
        );
        assertPagesHealthy();
      }),
  );
});
