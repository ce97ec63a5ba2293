/**
 * An SMS through a real Kannel: Debian's bearerbox and smsbox, with Kannel's fake SMSC standing in for the
 * mobile operator. The fake phone sends an SMS, Kannel's sms-service calls Tally's get-url, and Tally's
 * answer goes back through Kannel to the phone as an SMS.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { testPassword } from '../helpers/app.js';
import { startTestServer } from '../helpers/server.js';

const skip = process.env.TALLY_TEST_SKIP_KANNEL || undefined;
const fakesmsc = '/usr/lib/kannel/test/fakesmsc';
const secret = 'kannel-shared-secret-7d1e';
const sendPassword = 'sendsms-password-4b2d';

const volunteer = {
  kind: 'user',
  userId: 'test',
  email: 'test@example.org',
  role: 'volunteer',
  via: 'api',
} as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Ports {
  admin: number;
  smsbox: number;
  smsc: number;
  sendsms: number;
}

function kannelConfig(dir: string, ports: Ports, getUrl: string): string {
  return `group = core
admin-port = ${ports.admin}
admin-password = admin-${secret}
smsbox-port = ${ports.smsbox}
box-allow-ip = "127.0.0.1"
log-file = "${dir}/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = ${ports.smsc}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.smsbox}
sendsms-port = ${ports.sendsms}
log-file = "${dir}/smsbox.log"
log-level = 1

group = sms-service
keyword = default
get-url = "${getUrl}"
max-messages = 1
omit-empty = true

group = sendsms-user
username = tally
password = ${sendPassword}
`;
}

/** Waits until `ready()` holds, checking every 100 ms, failing with what `explain()` says after a while. */
async function waitFor(ready: () => boolean, explain: () => string, seconds = 20): Promise<void> {
  for (let waited = 0; waited < seconds * 10; waited++) {
    if (ready()) return;
    await sleep(100);
  }
  assert.fail(explain());
}

function logOf(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

test('an SMS through Kannel becomes a message in the inbox, and the acknowledgement goes back as an SMS', {
  skip,
}, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-kannel-'));
  const processes: ChildProcess[] = [];
  // Kannel runs on this machine: only the operator's allowlist lets Tally reach it.
  const server = await startTestServer({ TALLY_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' });
  t.after(async () => {
    for (const child of processes) child.kill('SIGKILL');
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ports = {
    admin: await freePort(),
    smsbox: await freePort(),
    smsc: await freePort(),
    sendsms: await freePort(),
  };
  await server.services.channels.addAsOperator({
    id: 'kannel-ke',
    kind: 'kannel',
    settings: { sendsmsUrl: `http://127.0.0.1:${ports.sendsms}`, username: 'tally', number: '+254700000000' },
    secrets: { secret, password: sendPassword },
  });
  const getUrl = `${server.url}/api/v1/inbound/kannel/kannel-ke?secret=${secret}&from=%p&to=%P&text=%a&ts=%t&smsc=%i&id=%I`;
  const config = path.join(dir, 'kannel.conf');
  writeFileSync(config, kannelConfig(dir, ports, getUrl));
  processes.push(spawn('/usr/sbin/bearerbox', [config], { stdio: 'ignore' }));
  await waitFor(
    () => /Start-up done, entering mainloop/.test(logOf(path.join(dir, 'bearerbox.log'))),
    () => `bearerbox did not start:\n${logOf(path.join(dir, 'bearerbox.log'))}`,
  );
  processes.push(spawn('/usr/sbin/smsbox', [config], { stdio: 'ignore' }));
  await waitFor(
    () => /Connected to bearerbox/.test(logOf(path.join(dir, 'smsbox.log'))),
    () => `smsbox did not connect:\n${logOf(path.join(dir, 'smsbox.log'))}`,
  );

  // The fake operator: one SMS from a phone to the deployment's number, then it prints what comes back.
  let phone = '';
  const operator = spawn(fakesmsc, [
    '-H',
    '127.0.0.1',
    '-r',
    String(ports.smsc),
    '-i',
    '1',
    '-m',
    '1',
    '+254722000111 +254700000000 text Moto sokoni Kibera',
  ]);
  processes.push(operator);
  operator.stdout.on('data', (chunk: Buffer) => {
    phone += chunk.toString();
  });
  operator.stderr.on('data', (chunk: Buffer) => {
    phone += chunk.toString();
  });
  await waitFor(
    () => /Got message/.test(phone),
    () => `no SMS came back to the phone:\n${phone}\n${logOf(path.join(dir, 'smsbox.log'))}`,
  );

  const [message] = await server.services.inbox.list(volunteer, {
    direction: 'inbound',
    status: null,
    channelId: null,
    contactId: null,
    beforeSeq: null,
    limit: 10,
  });
  assert.equal(message?.text, 'Moto sokoni Kibera');
  assert.equal(message?.channelId, 'kannel-ke');
  assert.match(message?.providerId ?? '', /^[0-9a-f-]{36}$/);
  // fakesmsc prints a message as "<from> <to> text <text>": the reply goes from the number to the phone.
  assert.match(
    phone,
    new RegExp(
      `Got message \\d+: <\\+254700000000 \\+254722000111 text Thank you\\. We received your message, number ${message?.seq}\\. Volunteers will read it\\.>`,
    ),
  );

  // A volunteer makes a report of it and publishes it: the sender is told, by an SMS through Kannel's sendsms.
  await server.createUser('wanjiru@example.org', 'volunteer', testPassword);
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'wanjiru@example.org', password: testPassword }),
  });
  const headers = {
    authorization: `Bearer ${((await login.json()) as { token: string }).token}`,
    'content-type': 'application/json',
  };
  const made = await fetch(`${server.url}/api/v1/messages/${message?.id}/report`, {
    method: 'POST',
    headers,
    body: '{}',
  });
  assert.equal(made.status, 201);
  const reportId = ((await made.json()) as { report: { id: string } }).report.id;
  const published = await fetch(`${server.url}/api/v1/reports/${reportId}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ status: 'published' }),
  });
  assert.equal(published.status, 200);
  // Where Kannel sends its delivery reports.
  server.services.outbox.reachableAt(server.url);
  assert.equal(await server.services.outbox.runOnce(), 1);
  await waitFor(
    () => /Got message \d+: <[^>]*is now public on the map/.test(phone),
    () => `the notice never reached the phone:\n${phone}\n${logOf(path.join(dir, 'smsbox.log'))}`,
  );
  assert.match(phone, new RegExp(`text Your message number ${message?.seq} is now public on the map\\.>`));
  // Kannel reports back that the operator took it.
  const sent = async () =>
    (
      await server.services.inbox.list(volunteer, {
        direction: 'outbound',
        status: null,
        channelId: null,
        contactId: null,
        beforeSeq: null,
        limit: 10,
      })
    )[0];
  for (let waited = 0; waited < 100 && (await sent())?.status === 'queued'; waited++) await sleep(100);
  assert.match((await sent())?.status ?? '', /^(sent|delivered)$/);
});
