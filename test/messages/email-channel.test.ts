/**
 * E-mail through real local servers: a Dovecot IMAP mailbox the channel reads, and an SMTP server (the
 * smtp-server package) the answers go to. An e-mail arrives, becomes an inbox message, and the sender gets
 * the acknowledgement by e-mail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Services } from '../../src/services.js';
import { buildTestApp, localTargets } from '../helpers/app.js';
import { openTestDatabase } from '../helpers/databases.js';
import { startDovecot } from '../helpers/dovecot.js';

const skip = process.env.TALLY_TEST_SKIP_DOVECOT || undefined;
const volunteer = {
  kind: 'user',
  userId: 'test',
  email: 'test@example.org',
  role: 'volunteer',
  via: 'api',
} as const;

const email = [
  'From: "Amina Njeri" <Amina@Example.org>',
  'To: reports@tally.example.org',
  'Subject: Moto sokoni Kibera',
  'Message-ID: <8c1f2e3d.4b5a@example.org>',
  'Date: Thu, 26 Nov 2026 09:12:00 +0300',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Moto mkubwa sokoni karibu na lango la Olympic. Watu wanahitaji maji.',
  '',
].join('\r\n');

function inboundMessages(services: Services) {
  const query = {
    direction: 'inbound',
    status: null,
    channelId: null,
    contactId: null,
    beforeSeq: null,
    limit: 10,
  } as const;
  return services.inbox.list(volunteer, query);
}

/** An SMTP server that keeps every e-mail it is given. */
async function smtpSink(): Promise<{ port: number; received: Buffer[]; close(): Promise<void> }> {
  const received: Buffer[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address() as { port: number };
  return {
    port: address.port,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('an e-mail in the channel’s mailbox becomes an inbox message, and the acknowledgement goes back by e-mail', {
  skip,
}, async (t) => {
  const dovecot = await startDovecot();
  t.after(() => dovecot.stop());
  const sink = await smtpSink();
  t.after(() => sink.close());
  const db = await openTestDatabase('sqlite');
  t.after(() => db.destroy());
  const { services } = await buildTestApp(db, { outboundAllowedHosts: localTargets });
  await services.channels.addAsOperator({
    id: 'mail',
    kind: 'email',
    settings: {
      imapHost: dovecot.host,
      imapPort: String(dovecot.port),
      user: dovecot.user,
      address: 'reports@tally.example.org',
      smtpHost: '127.0.0.1',
      smtpPort: String(sink.port),
      language: 'sw',
    },
    secrets: { password: dovecot.password },
  });
  await dovecot.append(email);

  assert.equal(await services.mail.pollOnce(), 1);
  // Read, so not read again.
  assert.equal(await services.mail.pollOnce(), 0);
  const [message] = await inboundMessages(services);
  assert.equal(
    message?.text,
    'Moto sokoni Kibera\n\nMoto mkubwa sokoni karibu na lango la Olympic. Watu wanahitaji maji.',
  );
  assert.equal(message?.providerId, '<8c1f2e3d.4b5a@example.org>');
  assert.equal(message?.sentAt, '2026-11-26T06:12:00.000Z');
  const made = await services.inbox.toReport(volunteer, message!.id, {});
  assert.equal(made.report.source, 'email');

  assert.equal(await services.outbox.runOnce(), 1);
  const [reply] = sink.received;
  assert.ok(reply, 'the SMTP server got the acknowledgement');
  const parsed = await simpleParser(reply);
  assert.equal(
    parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : null,
    'amina@example.org',
  );
  assert.equal(parsed.from?.value[0]?.address, 'reports@tally.example.org');
  assert.match(parsed.text ?? '', new RegExp(`Tumepokea ujumbe wako, nambari ${message?.seq}`));
});

test('the same e-mail found again in the mailbox is stored once', { skip }, async (t) => {
  const dovecot = await startDovecot();
  t.after(() => dovecot.stop());
  const db = await openTestDatabase('sqlite');
  t.after(() => db.destroy());
  const { services } = await buildTestApp(db, { outboundAllowedHosts: localTargets });
  await services.channels.addAsOperator({
    id: 'mail',
    kind: 'email',
    settings: {
      imapHost: dovecot.host,
      imapPort: String(dovecot.port),
      user: dovecot.user,
      address: 'reports@tally.example.org',
    },
    secrets: { password: dovecot.password },
  });
  // A mail client that copies the message twice, say.
  await dovecot.append(email);
  await dovecot.append(email);
  assert.equal(await services.mail.pollOnce(), 2);
  const messages = await inboundMessages(services);
  assert.equal(messages.length, 1);
});
