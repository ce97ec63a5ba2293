/**
 * E-mail in and out: a channel's mailbox is read over IMAP (new messages, oldest first, each marked seen
 * only once it is stored), and answers go out over SMTP.
 */
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import type { Channel } from '../../channels/channel.js';
import type { OutboundPolicy } from '../../outbound/policy.js';
import { tlsNameOf } from '../../outbound/sockets.js';
import type { InboundMessage } from '../gateways/inbound-message.js';

export interface MailboxSettings {
  imapHost: string;
  imapPort: number;
  imapSecure: boolean;
  user: string;
  password: string;
  /** The channel's own address: where reporters write, and what replies come from. */
  address: string;
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
  smtpUser: string | null;
  smtpPassword: string | null;
}

function port(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 && parsed < 65536 ? parsed : fallback;
}

/** An e-mail channel's settings and secrets as one object, with the usual ports when none are given. */
export function mailboxSettings(channel: Channel, secrets: Record<string, string>): MailboxSettings {
  const settings = channel.settings;
  const imapSecure = settings.imapSecure === 'true';
  const smtpSecure = settings.smtpSecure === 'true';
  const address = settings.address ?? settings.user ?? '';
  return {
    imapHost: settings.imapHost ?? '127.0.0.1',
    imapPort: port(settings.imapPort, imapSecure ? 993 : 143),
    imapSecure,
    user: settings.user ?? address,
    password: secrets.password ?? '',
    address,
    smtpHost: settings.smtpHost ?? settings.imapHost ?? '127.0.0.1',
    smtpPort: port(settings.smtpPort, smtpSecure ? 465 : 587),
    smtpSecure,
    smtpUser: secrets.smtpPassword ? (settings.smtpUser ?? settings.user ?? address) : null,
    smtpPassword: secrets.smtpPassword ?? null,
  };
}

/** One e-mail as a message: the subject and the text, from the sender's address. */
export async function messageFromEmail(
  source: Buffer,
  fallbackId: string,
): Promise<{ message: InboundMessage; raw: Record<string, unknown> }> {
  const mail = await simpleParser(source);
  const from = mail.from?.value[0]?.address ?? '';
  const subject = (mail.subject ?? '').trim();
  const body = (mail.text ?? '').trim();
  const text = subject && body ? `${subject}\n\n${body}` : subject || body;
  const message: InboundMessage = {
    // A message id a retry or a copy keeps; the mailbox's own id only when the e-mail has none.
    providerId: mail.messageId ?? fallbackId,
    from,
    to: Array.isArray(mail.to)
      ? (mail.to[0]?.value[0]?.address ?? null)
      : (mail.to?.value[0]?.address ?? null),
    text,
    sentAt: mail.date ? mail.date.toISOString() : null,
    media: [],
  };
  const raw = {
    message_id: mail.messageId ?? null,
    subject,
    date: mail.date?.toISOString() ?? null,
    attachments: mail.attachments.map((attachment) => ({
      filename: attachment.filename ?? null,
      content_type: attachment.contentType,
      size: attachment.size,
    })),
  };
  return { message, raw };
}

/**
 * Reads the unseen e-mails of the mailbox, hands each to `store`, and marks it seen once stored: a crash in
 * between leaves it unseen, read again next time, and stored once (its message id makes it a retry).
 */
export async function readNewMail(
  policy: OutboundPolicy,
  settings: MailboxSettings,
  store: (message: InboundMessage, raw: Record<string, unknown>) => Promise<void>,
): Promise<number> {
  // Checked and resolved now; the client is given the checked address, and the name only for TLS.
  const server = await policy.resolve(policy.parseHost('imap', settings.imapHost, settings.imapPort));
  const client = new ImapFlow({
    host: server.address,
    port: server.target.port,
    secure: settings.imapSecure,
    ...tlsNameOf(server),
    tls: { ...tlsNameOf(server) },
    auth: { user: settings.user, pass: settings.password },
    logger: false,
  });
  await client.connect();
  let stored = 0;
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const unseen = (await client.search({ seen: false }, { uid: true })) || [];
      if (unseen.length === 0) return 0;
      const validity = client.mailbox ? String(client.mailbox.uidValidity) : '0';
      // Fetched first, stored after: the connection takes no other command while a fetch streams.
      const fetched: { uid: number; source: Buffer }[] = [];
      for await (const mail of client.fetch(unseen, { uid: true, source: true }, { uid: true })) {
        if (mail.source) fetched.push({ uid: mail.uid, source: mail.source });
      }
      for (const mail of fetched) {
        const { message, raw } = await messageFromEmail(mail.source, `imap:${validity}:${mail.uid}`);
        await store(message, raw);
        await client.messageFlagsAdd([mail.uid], ['\\Seen'], { uid: true });
        stored++;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return stored;
}

/** Sends one e-mail from the channel's address; answers the message id the SMTP server took it under. */
export async function sendMail(
  policy: OutboundPolicy,
  settings: MailboxSettings,
  to: string,
  subject: string,
  text: string,
): Promise<string> {
  const server = await policy.resolve(policy.parseHost('smtp', settings.smtpHost, settings.smtpPort));
  const transport = nodemailer.createTransport({
    host: server.address,
    port: server.target.port,
    secure: settings.smtpSecure,
    // STARTTLS and TLS check the certificate against the name, while the connection goes to the checked address.
    ...tlsNameOf(server),
    tls: { ...tlsNameOf(server) },
    ...(settings.smtpUser && settings.smtpPassword
      ? { auth: { user: settings.smtpUser, pass: settings.smtpPassword } }
      : {}),
  });
  try {
    const info = await transport.sendMail({ from: settings.address, to, subject, text });
    return info.messageId;
  } finally {
    transport.close();
  }
}
