/**
 * The throw-away Dovecot of test/helpers/dovecot.ts: an e-mail appended to its INBOX comes back whole
 * through imapflow, and stop() leaves nothing listening.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { startDovecot } from '../helpers/dovecot.js';

const skip = process.env.TALLY_TEST_SKIP_DOVECOT || undefined;

const body = [
  'Habari,',
  '',
  'Kuna moto mkubwa sokoni Kibera tangu saa tatu asubuhi – vibanda vingi vya mboga vimeungua.',
  'Wazima moto bado hawajafika. Watu wawili wamejeruhiwa na wamepelekwa hospitali ya Mbagathi.',
  '',
  '“Tunahitaji msaada haraka,” alisema mwenyekiti wa soko.',
  '',
  'Amina',
];

const raw = [
  'From: "Amina Njeri" <amina@example.org>',
  'To: reports@tally.example.org',
  'Subject: Moto sokoni Kibera',
  'Date: Sat, 14 Jun 2025 09:42:10 +0300',
  'Message-ID: <20250614094210.4821@mail.example.org>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  ...body,
  '',
].join('\r\n');

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('an e-mail appended to the test Dovecot is fetched back whole with imapflow', { skip }, async (t) => {
  const dovecot = await startDovecot();
  t.after(() => dovecot.stop());
  await dovecot.append(raw);

  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  const fetched = [];
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      for await (const message of client.fetch('1:*', { envelope: true, source: true, uid: true })) {
        fetched.push(message);
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }

  assert.equal(fetched.length, 1);
  const [message] = fetched;
  assert.ok(message);
  assert.ok(message.uid > 0);
  assert.equal(message.envelope?.subject, 'Moto sokoni Kibera');
  assert.deepEqual(message.envelope?.from, [{ name: 'Amina Njeri', address: 'amina@example.org' }]);
  assert.equal(message.envelope?.messageId, '<20250614094210.4821@mail.example.org>');
  assert.ok(message.source);
  assert.equal(message.source.toString('utf8'), raw);

  const parsed = await simpleParser(message.source);
  assert.equal(parsed.subject, 'Moto sokoni Kibera');
  assert.equal(parsed.messageId, '<20250614094210.4821@mail.example.org>');
  assert.deepEqual(parsed.from?.value, [{ name: 'Amina Njeri', address: 'amina@example.org' }]);
  assert.equal(parsed.text, `${body.join('\n')}\n`);
});

test('stop() ends the test Dovecot: its port no longer answers', { skip }, async () => {
  const dovecot = await startDovecot();
  try {
    assert.equal(await refused(dovecot.port), false);
  } finally {
    await dovecot.stop();
  }
  assert.equal(await refused(dovecot.port), true);
  // A second stop() is harmless.
  await dovecot.stop();
});
