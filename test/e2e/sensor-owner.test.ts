/**
 * End-to-end: a sensor owner registers a bGeigie on /sensors and sees its token once, uploads a real drive
 * log with broken lines and submits it; a volunteer approves it in the volunteers' page; the owner sees it
 * approved.
 *
 * The log is Safecast's own test fixture (Safecast/safecastapi `spec/fixtures/malformed_bgeigie.log`, data
 * CC0): a bGeigie Nano drive in the UK, 2016, whose lines 6 to 9 are corrupt.
 *
 * Set TALLY_E2E_SCREENSHOTS to a directory to keep screenshots of both pages on a desktop and a phone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason } from '../helpers/server.js';
import { PASSWORD, screenshot, viewports, withSession } from './browser-session.js';

const malformedLog = path.resolve(
  import.meta.dirname,
  '../../../shared/data/bgeigie/safecastapi-malformed_bgeigie.log',
);

const driveName = 'Cambridge ring road, September 2016';

async function signInOn(page: Page, address: string, email: string): Promise<void> {
  await page.goto(address);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('sensor owners in the browser', { skip: browserSkipReason }, () => {
  test(
    'an owner registers a bGeigie, uploads a drive log with bad lines and submits it; a volunteer approves it',
    { timeout: 90_000 },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        await server.createUser('kenji@example.org', 'reporter', PASSWORD);
        await server.createUser('amina@example.org', 'volunteer', PASSWORD);

        const owner = await newPage(
          await newContext({
            viewport: viewports.desktop,
            permissions: ['clipboard-read', 'clipboard-write'],
          }),
        );
        await signInOn(owner, '/sensors', 'kenji@example.org');
        await owner.getByRole('heading', { name: 'My sensors', level: 1 }).waitFor();
        await owner.getByText('You have no devices yet.').waitFor();

        // The bGeigie preset fills in its tube; the serial files the drive logs naming it under this device.
        await owner.getByRole('radio', { name: /bGeigie Nano/ }).check();
        await owner.getByLabel('Name', { exact: true }).fill('Kenji’s bGeigie');
        assert.equal(await owner.getByLabel('Sensor or tube').inputValue(), 'LND 7317');
        await owner.getByLabel(/Serial number/).fill('2709');
        await owner.getByRole('button', { name: 'Register', exact: true }).click();

        const device = owner.locator('article', { hasText: 'Kenji’s bGeigie' });
        await device.getByText('334 CPM per µSv/h').waitFor();
        await device.getByText('It moves: each reading carries its own position.').waitFor();
        const token = (await device.locator('code.token').textContent()) ?? '';
        assert.match(token, /^tlyd_[\w-]{20,}$/);
        await device.getByText(`curl -H "Authorization: Bearer ${token}"`).waitFor();
        await device.getByRole('button', { name: 'Copy' }).click();
        await device.getByText('Copied to the clipboard.').waitFor();
        assert.equal(await owner.evaluate('navigator.clipboard.readText()'), token);
        await screenshot(owner, 'sensors-token-desktop');
        await device.getByRole('button', { name: 'I have copied it' }).click();
        assert.doesNotMatch(await owner.content(), new RegExp(token));
        await owner.reload();
        await owner.locator('article', { hasText: 'Kenji’s bGeigie' }).waitFor();
        assert.doesNotMatch(await owner.content(), new RegExp(token), 'the token is shown only once');

        // A new token is asked twice for, since the old one stops working at once.
        const reloaded = owner.locator('article', { hasText: 'Kenji’s bGeigie' });
        await reloaded.getByRole('button', { name: 'New token for Kenji’s bGeigie…' }).click();
        await reloaded.getByRole('button', { name: 'Make a new token' }).click();
        const rotated = (await reloaded.locator('code.token').textContent()) ?? '';
        assert.match(rotated, /^tlyd_[\w-]{20,}$/);
        assert.notEqual(rotated, token);
        await reloaded.getByRole('button', { name: 'I have copied it' }).click();

        await owner.getByRole('button', { name: 'Drive logs', exact: true }).click();
        await owner.getByLabel('Drive log file').setInputFiles(malformedLog);
        await owner.getByRole('button', { name: 'Upload', exact: true }).click();
        const upload = owner.locator('article', { hasText: 'safecastapi-malformed_bgeigie.log' });
        await owner
          .getByText('safecastapi-malformed_bgeigie.log is imported: 7 good readings, 4 rejected lines.')
          .waitFor();
        assert.equal(await upload.locator('dt:text-is("Good readings") + dd').textContent(), '7');
        assert.equal(await upload.locator('dt:text-is("Rejected lines") + dd').textContent(), '4');
        await upload.getByText('Kenji’s bGeigie').waitFor();
        const rows = upload.locator('.rejected-lines tbody tr');
        assert.deepEqual(await rows.locator('th').allTextContents(), ['6', '7', '8', '9']);
        const reasons = await rows.locator('td:nth-child(2)').allTextContents();
        assert.match(reasons[0] ?? '', /invalid longitude/);
        assert.match(reasons[1] ?? '', /unknown header "\$BNRdD"/);
        assert.match(reasons[2] ?? '', /junk after checksum/);
        assert.match(reasons[3] ?? '', /junk after checksum/);
        await upload.getByText('42–50 CPM').waitFor();
        await upload.getByText('100 %').waitFor();
        await screenshot(owner, 'sensors-upload-desktop');

        await upload.getByLabel(/Name of the drive/).fill(driveName);
        await upload
          .getByLabel(/Description/)
          .fill('Test drive with the window open; the logger was bumped.');
        await upload.getByLabel(/Cities/).fill('Cambridge');
        await upload.getByLabel(/Height above ground/).fill('1');
        await upload.getByRole('button', { name: 'Submit for review' }).click();
        await owner.getByText(`“${driveName}” is submitted: a volunteer will review it.`).waitFor();
        const submitted = owner.locator('article', { hasText: driveName });
        await submitted.getByText('Waiting for a volunteer’s review.').waitFor();

        const volunteerPhone = await newPage(await newContext({ viewport: viewports.phone }));
        await signInOn(volunteerPhone, '/volunteer', 'amina@example.org');
        await volunteerPhone.getByRole('button', { name: 'Drive logs', exact: true }).click();
        await volunteerPhone.locator('article', { hasText: driveName }).waitFor();
        await screenshot(volunteerPhone, 'volunteer-drive-logs-phone');

        const volunteer = await newPage(await newContext({ viewport: viewports.desktop }));
        await signInOn(volunteer, '/volunteer', 'amina@example.org');
        await volunteer.getByRole('button', { name: 'Drive logs', exact: true }).click();
        const review = volunteer.locator('article', { hasText: driveName });
        await review.getByText('Test drive with the window open; the logger was bumped.').waitFor();
        await review.getByText('Kenji’s bGeigie (bGeigie Nano, LND 7317)').waitFor();
        const track = review.getByRole('link', { name: `The track of “${driveName}” as GeoJSON` });
        assert.match(
          (await track.getAttribute('href')) ?? '',
          /^\/api\/v1\/sensors\/imports\/[\w-]+\/track$/,
        );
        // Rejecting needs a reason the owner can act on.
        await review.getByRole('button', { name: 'Reject' }).click();
        await review.getByText('Say why you reject it, so the owner can fix it.').waitFor();
        await screenshot(volunteer, 'volunteer-drive-logs-desktop');
        await review.getByRole('button', { name: 'Approve' }).click();
        await volunteer.getByText(`“${driveName}” is approved: its readings are on the map.`).waitFor();
        await volunteer.getByText('No drive logs are waiting for review.').waitFor();

        // The section's own refresh: the other section's is hidden.
        await owner.getByRole('button', { name: 'Refresh' }).click();
        await submitted.getByText('Approved: its readings are on the map and in the open data.').waitFor();
        await screenshot(owner, 'sensors-approved-desktop');

        const ownerPhone = await newPage(await newContext({ viewport: viewports.phone }));
        await signInOn(ownerPhone, '/sensors', 'kenji@example.org');
        await ownerPhone.getByRole('article', { name: 'Kenji’s bGeigie' }).waitFor();
        await screenshot(ownerPhone, 'sensors-devices-phone');
        await ownerPhone.getByRole('button', { name: 'Drive logs', exact: true }).click();
        await ownerPhone.getByRole('button', { name: 'Show the lines and the drive' }).click();
        await screenshot(ownerPhone, 'sensors-drive-logs-phone');
        assertPagesHealthy();
      }),
  );
  test('a fixed station at home is registered with its place hidden in a hexagon', { timeout: 60_000 }, () =>
    withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
      await server.createUser('hana@example.org', 'reporter', PASSWORD);
      const page = await newPage(await newContext({ viewport: viewports.phone }));
      const served = await page.goto('/sensors');
      assert.equal(served?.headers()['x-frame-options'], 'DENY', 'a page showing tokens may not be framed');
      await signInOn(page, '/sensors', 'hana@example.org');
      await page.getByRole('radio', { name: /Pointcast or other fixed station/ }).check();
      assert.equal(await page.getByLabel('Sensor or tube').inputValue(), 'LND 7318U');
      await page.getByLabel('Name', { exact: true }).fill('Balcony counter');
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.getByText('A fixed device needs its latitude and longitude.').waitFor();
      assert.equal(await page.getByLabel('Latitude').getAttribute('aria-invalid'), 'true');
      await page.getByLabel('Latitude').fill('37.42');
      await page.getByLabel('Longitude').fill('141.03');
      // Coarse is chosen unless the owner says otherwise.
      assert.ok(await page.getByRole('radio', { name: /Coarse/ }).isChecked());
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      const station = page.getByRole('article', { name: 'Balcony counter' });
      await station.getByText(/^Around .*, within about 5 km² \(your exact place is hidden\)$/).waitFor();
      assert.doesNotMatch((await station.textContent()) ?? '', /37\.42000, 141\.03000/);
      await station.getByText('334 CPM per µSv/h').waitFor();
      // After the clicks: on a phone, a full-page screenshot can leave the next click off target.
      await screenshot(page, 'sensors-station-phone');
      assertPagesHealthy();
    }),
  );
  test(
    'an owner adds a feed from The Things Network, is refused a broker on a private address, and removes the feed',
    { timeout: 60_000 },
    () =>
      withSession(async ({ server, newContext, newPage, assertPagesHealthy }) => {
        await server.createUser('ines@example.org', 'reporter', PASSWORD);
        const apiKey = 'NNSXS.E2ETESTKEYNEVERSHOWN.0123456789ABCDEF';
        const topic = 'v3/my-app@ttn/devices/+/up';
        const page = await newPage(await newContext({ viewport: viewports.desktop }));
        await signInOn(page, '/sensors', 'ines@example.org');
        await page.getByRole('button', { name: 'Network feeds', exact: true }).click();
        await page.getByText('You have no feeds yet.').waitFor();

        await page.getByLabel('What the broker sends').selectOption('ttn-v3');
        const url = page.getByLabel('Broker URL');
        assert.equal(await url.inputValue(), 'mqtts://eu1.cloud.thethings.network:8883');
        // The Things Stack's MQTT username names the application, and so the topic of its uplinks.
        await page.getByLabel('Username').fill('my-app@ttn');
        assert.equal(await page.getByLabel('Topic').inputValue(), topic);
        await page.getByLabel('Topic').fill(topic);
        const password = page.getByLabel('Password or API key');
        assert.equal(await password.getAttribute('type'), 'password');
        await password.fill(apiKey);
        await page.getByRole('button', { name: 'Add the feed' }).click();

        const feed = page.getByRole('article', { name: topic });
        await page.getByText(`The feed ${topic} is added: Tally starts reading it.`).waitFor();
        await feed.getByText('The Things Stack (v3)').waitFor();
        await feed.getByText('password set').waitFor();
        await feed.getByText('no message yet').waitFor();
        assert.equal(await password.inputValue(), '', 'the form forgets the password once it is sent');
        assert.doesNotMatch((await page.locator('body').textContent()) ?? '', new RegExp(apiKey));
        assert.doesNotMatch(await page.content(), new RegExp(apiKey));
        await screenshot(page, 'sensors-feeds-desktop');

        await url.fill('mqtt://10.0.0.7:1883');
        await page.getByLabel('Topic').fill(topic);
        await page.getByRole('button', { name: 'Add the feed' }).click();
        await page.getByText('Use the broker’s public host name, not an IP address').waitFor();
        assert.equal(await url.getAttribute('aria-invalid'), 'true');

        await url.fill('mqtt://broker.example.org:1883');
        await page.getByRole('button', { name: 'Add the feed' }).click();
        await page
          .getByText('Feeds here may read only brokers on *.thethings.network, *.thethings.industries')
          .waitFor();
        assert.equal(await url.getAttribute('aria-invalid'), 'true');
        assert.equal(await page.getByRole('article').count(), 1, 'the refused feed is not listed');

        await feed.getByRole('button', { name: `Remove the feed ${topic}…` }).click();
        await feed.getByRole('button', { name: 'Remove for good' }).click();
        await page.getByText(`The feed ${topic} is removed.`).waitFor();
        await page.getByText('You have no feeds yet.').waitFor();
        assert.equal(await page.getByRole('article').count(), 0);
        assertPagesHealthy();
      }),
  );
});
