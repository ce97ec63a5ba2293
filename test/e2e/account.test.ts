/**
 * End-to-end: a reporter signs in on /account, creates an API token (shown once), revokes it, and changes
 * their password without being signed out of this browser.
 *
 * Set TALLY_E2E_SCREENSHOTS to a directory to keep a screenshot of the page with the new token.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSkipReason } from '../helpers/server.js';
import { PASSWORD, screenshot, viewports, withSession } from './browser-session.js';

describe('my account in the browser', { skip: browserSkipReason }, () => {
  test(
    'a reporter creates an API token, sees it once, revokes it, and changes their password',
    { timeout: 90_000 },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        await server.createUser('kenji@example.org', 'reporter', PASSWORD);
        const page = await newPage(await newContext({ viewport: viewports.desktop }));
        await page.goto('/account');
        await page.getByLabel('E-mail').fill('kenji@example.org');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
        await page.getByText('This browser').waitFor();

        await page.getByLabel('What it is for').fill('Nightly import');
        await page.getByLabel('Ends after (days)').fill('30');
        await page.getByRole('button', { name: 'Create token' }).click();
        await page.getByText('copy it now: it is shown only this once').waitFor();
        const token = (await page.locator('.new-token code').textContent()) ?? '';
        assert.match(token, /^tly_[\w-]{20,}$/);
        await screenshot(page, 'account-new-token-desktop');
        const asToken = () =>
          fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal((await asToken()).status, 200, 'the new token works');

        await page.getByRole('button', { name: 'I copied it' }).click();
        assert.doesNotMatch(await page.content(), new RegExp(token), 'the token is shown only once');
        await page.getByRole('button', { name: 'Revoke Nightly import' }).click();
        await page.getByText('Nightly import was revoked.').waitFor();
        assert.equal((await asToken()).status, 401, 'the revoked token no longer works');

        await page.getByLabel('Current password').fill(PASSWORD);
        await page.getByLabel('New password (at least 10 characters)').fill('another long password');
        await page.getByRole('button', { name: 'Change password' }).click();
        await page.getByText('Your password was changed.').waitFor();
        // The fresh session replaced the cookie: a reload is still signed in.
        await page.reload();
        await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
        await page.getByText('This browser').waitFor();
        assertPagesHealthy();
      }),
  );
});
