/**
 * Rebuilds the public state from the origin's entries, in the order the origin recorded them, so that the
 * mirror's read API answers what the origin's answers to the public. The content formats are those of
 * `src/ledger/record-content.ts`; whatever an entry does not say (contacts, exact places of sensitive
 * reports, private fields, accounts) the mirror never had.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import { parseContent } from '../ledger/record-content.js';
import type { MirroredReport, MirroredVote, MirrorRepository } from './mirror.repository.js';
import { MirrorError } from './mirror-error.js';

/** What projecting needs of one entry. */
export interface ProjectedEntry {
  index: number;
  action: string;
  subject: string;
  time: string;
  content: Buffer | null;
}

type Json = Record<string, unknown>;

class ContentReader {
  constructor(
    private readonly entry: ProjectedEntry,
    readonly value: Json,
  ) {}

  fail(what: string): MirrorError {
    return new MirrorError(
      `Entry ${this.entry.index} (${this.entry.action} of ${this.entry.subject}) does not hold what Tally records: ${what}.`,
    );
  }

  string(key: string): string {
    const value = this.value[key];
    if (typeof value !== 'string') throw this.fail(`"${key}" is not text`);
    return value;
  }

  optionalString(key: string): string | null {
    const value = this.value[key];
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw this.fail(`"${key}" is not text or null`);
    return value;
  }

  number(key: string): number {
    const value = this.value[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(`"${key}" is not a number`);
    return value;
  }

  strings(key: string): string[] {
    const value = this.value[key];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.fail(`"${key}" is not a list of text`);
    }
    return value;
  }

  object(key: string): Json {
    const value = this.value[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.fail(`"${key}" is not an object`);
    }
    return value as Json;
  }

  list(key: string): Json[] {
    const value = this.value[key];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'object' && item !== null)) {
      throw this.fail(`"${key}" is not a list of objects`);
    }
    return value as Json[];
  }

  nested(value: Json): ContentReader {
    return new ContentReader(this.entry, value);
  }
}

function read(entry: ProjectedEntry): ContentReader | null {
  if (entry.content === null) return null;
  const value = parseContent<unknown>(entry.content);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MirrorError(`Entry ${entry.index} (${entry.action}) does not hold a JSON object.`);
  }
  return new ContentReader(entry, value as Json);
}

function subjectId(entry: ProjectedEntry, kind: string): string {
  const prefix = `${kind}:`;
  if (!entry.subject.startsWith(prefix) || entry.subject.length === prefix.length) {
    throw new MirrorError(
      `Entry ${entry.index} (${entry.action}) is about "${entry.subject}", not a ${kind}.`,
    );
  }
  return entry.subject.slice(prefix.length);
}

function reportRow(content: ContentReader, entry: ProjectedEntry): MirroredReport {
  const id = content.string('id');
  if (`report:${id}` !== entry.subject) throw content.fail(`it describes report ${id}`);
  const location =
    content.value.location === null || content.value.location === undefined
      ? null
      : content.nested(content.object('location'));
  const accuracy = location?.value.accuracy_m;
  const fields = content.object('fields');
  // The record carries the public location only; sensitive ones are coarse already, and coarsening a
  // coarse point gives the same point, so the mirror may treat it as the report's location.
  const lat = location ? location.number('lat') : null;
  const lon = location ? location.number('lon') : null;
  return {
    id,
    survey_id: content.string('survey_id'),
    title: content.string('title'),
    description: content.string('description'),
    lat,
    lon,
    accuracy_m: typeof accuracy === 'number' ? accuracy : null,
    public_lat: lat,
    public_lon: lon,
    location_name: content.optionalString('location_name'),
    occurred_at: content.string('occurred_at'),
    received_at: content.string('received_at'),
    updated_at: content.string('updated_at'),
    published_at: content.optionalString('published_at'),
    status: content.string('status'),
    verification: content.string('verification'),
    sensitivity: content.string('sensitivity'),
    author_name: content.optionalString('author_name'),
    contact: null,
    source: content.string('source'),
    revision: content.number('revision'),
    fields: JSON.stringify(fields),
    created_by: null,
    idempotency_key: null,
    idempotency_fingerprint: null,
    published_by: content.optionalString('published_by'),
  };
}

function readVote(content: ContentReader, entry: ProjectedEntry): MirroredVote {
  const reportId = content.string('report_id');
  if (`report:${reportId}` !== entry.subject) throw content.fail(`it is a vote on report ${reportId}`);
  return {
    reportId,
    voter: content.string('voter'),
    verdict: content.string('verdict'),
    reason: content.string('reason'),
    createdAt: entry.time,
    ledgerIndex: entry.index,
  };
}

async function projectSettings(
  trx: Transaction<Database>,
  mirrors: MirrorRepository,
  content: ContentReader,
  time: string,
): Promise<void> {
  for (const survey of content.list('surveys').map((value) => content.nested(value))) {
    const fields = survey.list('fields').map((value) => {
      const field = survey.nested(value);
      const options = field.value.options;
      const hxl = field.optionalString('hxl');
      return {
        key: field.string('key'),
        label: field.string('label'),
        type: field.string('type'),
        required: field.value.required === true,
        private: false,
        ...(Array.isArray(options) ? { options: field.strings('options') } : {}),
        ...(hxl === null ? {} : { hxl }),
      };
    });
    await mirrors.upsertSurvey(
      trx,
      {
        id: survey.string('id'),
        name: survey.string('name'),
        description: survey.string('description'),
        autoPublish: survey.value.auto_publish === true,
        fields: JSON.stringify(fields),
      },
      time,
    );
  }
}

/** Applies one entry; it is already appended to the mirror's log within the same transaction. */
export async function projectEntry(
  trx: Transaction<Database>,
  mirrors: MirrorRepository,
  ledger: LedgerRepository,
  entry: ProjectedEntry,
): Promise<void> {
  const content = read(entry);
  switch (entry.action) {
    case 'settings.changed':
      if (content) await projectSettings(trx, mirrors, content, entry.time);
      return;
    case 'category.created':
    case 'category.updated': {
      if (!content) return;
      const id = content.string('id');
      if (`category:${id}` !== entry.subject) throw content.fail(`it describes category ${id}`);
      const translations = content.value.translations ?? {};
      await mirrors.upsertCategory(trx, {
        id,
        parent_id: content.optionalString('parent_id'),
        name: content.string('name'),
        description: content.string('description'),
        color: content.optionalString('color'),
        position: content.number('position'),
        translations: JSON.stringify(translations),
        created_at: entry.time,
        updated_at: entry.time,
      });
      return;
    }
    case 'category.deleted':
      await mirrors.deleteCategory(trx, subjectId(entry, 'category'));
      return;
    case 'report.published':
    case 'report.edited': {
      // Only a replaced state can be redacted, and a later entry of the same report carries the current one.
      if (!content) return;
      const report = reportRow(content, entry);
      const categories = content.strings('categories');
      const unknown = await mirrors.unknownCategories(trx, categories);
      if (unknown.length > 0) throw content.fail(`it names category ${unknown.join(', ')}, never created`);
      if (!(await mirrors.surveyExists(trx, report.survey_id))) {
        throw content.fail(`its survey ${report.survey_id} is not in the recorded settings`);
      }
      const isNew = await mirrors.upsertReport(trx, report, categories);
      if (!isNew) return;
      // Volunteers may vote on a report before it is published; the public sees those votes once it is.
      for (const earlier of await ledger.ofSubject(entry.subject, trx)) {
        if (earlier.action !== 'vote.cast' || earlier.index >= entry.index) continue;
        const vote = read(earlier);
        if (vote) await mirrors.upsertVote(trx, readVote(vote, earlier));
      }
      return;
    }
    case 'report.rejected':
    case 'report.archived': {
      // A report rejected before it was ever published was never on the mirror: the update finds no row.
      await mirrors.setReportStatus(trx, subjectId(entry, 'report'), {
        status: entry.action === 'report.rejected' ? 'rejected' : 'archived',
        revision: content ? content.number('revision') : null,
        updatedAt: entry.time,
      });
      return;
    }
    case 'vote.cast': {
      if (!content) return;
      const vote = readVote(content, entry);
      // A vote on a report still pending at the origin waits on the log until the report is published.
      if (await mirrors.setVerification(trx, vote.reportId, content.string('verification'))) {
        await mirrors.upsertVote(trx, vote);
      }
      return;
    }
    case 'record.redacted': {
      if (!content) return;
      const indices = content.value.entries;
      if (
        !Array.isArray(indices) ||
        !indices.every((index) => Number.isSafeInteger(index) && index >= 0 && index < entry.index)
      ) {
        throw content.fail('"entries" is not a list of earlier entries');
      }
      await ledger.removeContent(trx, indices as number[]);
      return;
    }
    case 'channel.created':
    case 'channel.disabled':
    case 'channel.enabled':
    case 'channel.deleted': {
      // A mirror has no gateways, so channels stay on its log only; an entry that is not a channel's
      // public state is still refused, as the origin would never have recorded it.
      if (!content) return;
      const id = content.string('id');
      if (`channel:${id}` !== entry.subject) throw content.fail(`it describes channel ${id}`);
      content.string('kind');
      content.string('name');
      if (typeof content.value.enabled !== 'boolean' || typeof content.value.deleted !== 'boolean') {
        throw content.fail('"enabled" or "deleted" is not true or false');
      }
      return;
    }
    default:
      // Roles (a mirror has no accounts) and kinds this version does not know: on the log, not in tables.
      return;
  }
}
