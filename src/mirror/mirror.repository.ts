import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { uuidv7 } from '../ids.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Where a mirror copies from and how its last round went (`mirror_source`, one row). */
export interface MirrorSource {
  url: string;
  origin: string;
  verifierKey: string;
  syncedAt: string | null;
  lastError: string | null;
}

export interface MirroredSurvey {
  id: string;
  name: string;
  description: string;
  autoPublish: boolean;
  /** JSON of the survey's public fields, as `surveys.fields` holds them. */
  fields: string;
}

/** A published report as the mirror stores it: its public view in the columns of `reports`. */
export type MirroredReport = Omit<Database['reports'], 'seq'>;

export interface MirroredVote {
  reportId: string;
  voter: string;
  verdict: string;
  reason: string;
  createdAt: string;
  ledgerIndex: number;
}

/** How many report seqs one millisecond of `received_at` spans (see `seqFor`). */
const seqsPerMillisecond = 1000;

/**
 * The mirror's own storage, and the writes that rebuild the public state of other domains' tables from
 * the origin's record. Those writes bypass the other repositories on purpose: a mirror copies what the
 * origin decided, it does not decide anything, so none of their rules (or ledger appends) apply.
 */
export class MirrorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async source(executor: Executor = this.db): Promise<MirrorSource | undefined> {
    const row = await executor.selectFrom('mirror_source').selectAll().where('id', '=', 1).executeTakeFirst();
    return row
      ? {
          url: row.url,
          origin: row.origin,
          verifierKey: row.verifier_key,
          syncedAt: row.synced_at,
          lastError: row.last_error,
        }
      : undefined;
  }

  /** Makes this database a mirror of `origin`; the log's head takes the origin's name too. */
  async createSource(
    trx: Transaction<Database>,
    source: { url: string; origin: string; verifierKey: string },
  ): Promise<void> {
    await trx
      .insertInto('mirror_source')
      .values({
        id: 1,
        url: source.url,
        origin: source.origin,
        verifier_key: source.verifierKey,
        synced_at: null,
        last_error: null,
      })
      .execute();
    await trx.updateTable('ledger_head').set({ origin: source.origin }).where('id', '=', 1).execute();
  }

  /** A round succeeded: when, and from which address (an origin may move). */
  async markSynced(executor: Executor, url: string, syncedAt: string): Promise<void> {
    await executor
      .updateTable('mirror_source')
      .set({ url, synced_at: syncedAt, last_error: null })
      .where('id', '=', 1)
      .execute();
  }

  async recordError(message: string): Promise<void> {
    await this.db.updateTable('mirror_source').set({ last_error: message }).where('id', '=', 1).execute();
  }

  async upsertSurvey(trx: Transaction<Database>, survey: MirroredSurvey, time: string): Promise<void> {
    const columns = {
      name: survey.name,
      description: survey.description,
      auto_publish: survey.autoPublish ? 1 : 0,
      fields: survey.fields,
      updated_at: time,
    };
    await trx
      .insertInto('surveys')
      .values({ id: survey.id, ...columns, created_at: time })
      .onConflict((conflict) => conflict.column('id').doUpdateSet(columns))
      .execute();
  }

  async surveyExists(trx: Transaction<Database>, id: string): Promise<boolean> {
    return (
      (await trx.selectFrom('surveys').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
    );
  }

  async upsertCategory(trx: Transaction<Database>, category: Database['categories']): Promise<void> {
    const { id: _id, created_at: _createdAt, ...columns } = category;
    await trx
      .insertInto('categories')
      .values(category)
      .onConflict((conflict) => conflict.column('id').doUpdateSet(columns))
      .execute();
  }

  async deleteCategory(trx: Transaction<Database>, id: string): Promise<void> {
    await trx.deleteFrom('report_categories').where('category_id', '=', id).execute();
    await trx.deleteFrom('categories').where('id', '=', id).execute();
  }

  /** Which of these ids are not categories here. */
  async unknownCategories(trx: Transaction<Database>, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await trx
      .selectFrom('categories')
      .select('id')
      .where('id', 'in', [...ids])
      .execute();
    const known = new Set(rows.map((row) => row.id));
    return ids.filter((id) => !known.has(id));
  }

  /** Stores a report's public state with its categories, replacing what the mirror held; true if it is new. */
  async upsertReport(
    trx: Transaction<Database>,
    report: MirroredReport,
    categoryIds: readonly string[],
  ): Promise<boolean> {
    const existing = await trx
      .selectFrom('reports')
      .select('seq')
      .where('id', '=', report.id)
      .executeTakeFirst();
    if (existing) {
      const { id, ...columns } = report;
      await trx.updateTable('reports').set(columns).where('id', '=', id).execute();
      await trx.deleteFrom('report_categories').where('report_id', '=', id).execute();
    } else {
      await trx
        .insertInto('reports')
        .values({ ...report, seq: await this.seqFor(trx, report.received_at) })
        .execute();
    }
    if (categoryIds.length > 0) {
      await trx
        .insertInto('report_categories')
        .values(categoryIds.map((categoryId) => ({ report_id: report.id, category_id: categoryId })))
        .execute();
    }
    return !existing;
  }

  /**
   * Listings run newest first by seq, which at the origin is the order reports arrived in. Reports reach a
   * mirror in the order they were published instead, so their seq is made from `received_at`: the mirror
   * then lists them in the origin's order. Reports received in the same millisecond follow one another.
   */
  private async seqFor(trx: Transaction<Database>, receivedAt: string): Promise<number> {
    const millisecond = Date.parse(receivedAt);
    const base = Number.isFinite(millisecond) && millisecond > 0 ? millisecond * seqsPerMillisecond : 1;
    const row = await trx
      .selectFrom('reports')
      .select((eb) => eb.fn.max('seq').as('last'))
      .where('seq', '>=', base)
      .where('seq', '<', base + seqsPerMillisecond)
      .executeTakeFirst();
    const last = row?.last;
    return last === null || last === undefined ? base : Number(last) + 1;
  }

  async setReportStatus(
    trx: Transaction<Database>,
    id: string,
    change: { status: string; revision: number | null; updatedAt: string },
  ): Promise<void> {
    await trx
      .updateTable('reports')
      .set({
        status: change.status,
        updated_at: change.updatedAt,
        ...(change.revision === null ? {} : { revision: change.revision }),
      })
      .where('id', '=', id)
      .execute();
  }

  /** The report's verification state as a vote left it; false when the mirror holds no such report. */
  async setVerification(
    trx: Transaction<Database>,
    reportId: string,
    verification: string,
  ): Promise<boolean> {
    const updated = await trx
      .updateTable('reports')
      .set({ verification })
      .where('id', '=', reportId)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /** Stores a vote on a report the mirror holds; storing it again changes nothing. */
  async upsertVote(trx: Transaction<Database>, vote: MirroredVote): Promise<void> {
    const columns = {
      verdict: vote.verdict,
      reason: vote.reason,
      created_at: vote.createdAt,
      ledger_index: vote.ledgerIndex,
    };
    await trx
      .insertInto('votes')
      .values({
        id: uuidv7(Date.parse(vote.createdAt) || Date.now()),
        report_id: vote.reportId,
        voter: vote.voter,
        ...columns,
      })
      .onConflict((conflict) => conflict.columns(['report_id', 'voter']).doUpdateSet(columns))
      .execute();
  }
}
