import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

/**
 * Messages from SMS, e-mail and chat (src/messages/README.md): the channels they arrive through, the
 * contacts who send them (never in the clear), and every message in and out, stored raw before anything is
 * made of it. Outbound messages are their own queue: a queued row with its next attempt time survives a
 * restart.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('channels')
    // Chosen by the coordinator; part of the gateway's webhook URL.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON: what may be shown again (numbers, URLs, user names, the replies' language).
    .addColumn('settings', 'text', (c) => c.notNull())
    // Sealed JSON: auth tokens, API keys, shared secrets; never shown again once entered.
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    // Requests refused for a missing or wrong signature or secret.
    .addColumn('refused_requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    // Keyed hash of the normalised number or address: finds the contact again without storing it.
    .addColumn('lookup', 'text', (c) => c.notNull().unique())
    // The number or address sealed for replies; null once the contact asked to be forgotten.
    .addColumn('sealed', 'text')
    .addColumn('country', 'text')
    .addColumn('language', 'text')
    // normal, trusted (may create pending reports directly) or blocked.
    .addColumn('trust', 'text', (c) => c.notNull().defaultTo('normal'))
    .addColumn('forgotten_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('direction', 'text', (c) => c.notNull())
    // The provider's id: a retry carries the same one and is stored once.
    .addColumn('provider_id', 'text')
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    // JSON array of media links.
    .addColumn('media', 'text', (c) => c.notNull())
    // The request exactly as the gateway sent it, sealed: it names the sender.
    .addColumn('raw', 'text')
    // inbound: received, processed, archived; outbound: queued, sent, delivered, failed.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_detail', 'text')
    .addColumn('report_id', 'text', (c) => c.references('reports.id').onDelete('set null'))
    // An outbound message's inbound message, when it answers one.
    .addColumn('in_reply_to', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // When a queued outbound message is tried next; null when nothing is due.
    .addColumn('next_attempt_at', 'text')
    .addUniqueConstraint('messages_provider_id', ['channel_id', 'direction', 'provider_id'])
    .execute();
  await db.schema.createIndex('messages_status_seq').on('messages').columns(['status', 'seq']).execute();
  await db.schema.createIndex('messages_contact_seq').on('messages').columns(['contact_id', 'seq']).execute();
  await db.schema.createIndex('messages_report').on('messages').columns(['report_id']).execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['next_attempt_at']).execute();
}
