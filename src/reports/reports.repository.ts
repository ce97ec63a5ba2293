import type SqliteDatabase from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../db/database.js';
import {
  type BoundingBox,
  reportMatchesText,
  reportWithinBbox,
  sqliteBboxHitsUpTo,
} from '../db/dialect-sql.js';
import type { Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import type { Verdict, Vote } from '../votes/vote.js';
import type {
  FieldValue,
  PublicReportSummary,
  Report,
  ReportSource,
  ReportStatus,
  Sensitivity,
  VerificationState,
} from './report.js';
import { publicLocation, publicLocationName } from './report-view.js';

export interface ReportQuery {
  statuses: ReportStatus[] | null;
  verification: VerificationState | null;
  bbox: BoundingBox | null;
  categoryIds: string[] | null;
  since: string | null;
  until: string | null;
  searchTerms: string[] | null;
  /** Whether the text searched includes coarse reports' place names, which only volunteers may see. */
  searchesHiddenNames?: boolean;
  /** Keyset position: only reports with a smaller seq (older than the last one seen). */
  beforeSeq: number | null;
  limit: number;
}

export interface Revision {
  revision: number;
  actorId: string | null;
  createdAt: string;
  snapshot: Report;
}

type ReportRow = Database['reports'] & { seq: number };

/** A report as its row holds it, with the position the public map, list and exports place it at. */
export interface StoredReport {
  report: Report;
  publicPosition: { lat: number; lon: number } | null;
}

function publicPositionOf(row: Pick<ReportRow, 'public_lat' | 'public_lon'>): StoredReport['publicPosition'] {
  return row.public_lat === null || row.public_lon === null
    ? null
    : { lat: row.public_lat, lon: row.public_lon };
}

function toRow(report: Report): Omit<Database['reports'], 'seq'> {
  const shown = publicLocation(report);
  return {
    id: report.id,
    survey_id: report.surveyId,
    title: report.title,
    description: report.description,
    lat: report.location?.lat ?? null,
    lon: report.location?.lon ?? null,
    accuracy_m: report.location?.accuracyM ?? null,
    public_lat: shown?.lat ?? null,
    public_lon: shown?.lon ?? null,
    location_name: report.locationName,
    occurred_at: report.occurredAt,
    received_at: report.receivedAt,
    updated_at: report.updatedAt,
    published_at: report.publishedAt,
    status: report.status,
    verification: report.verification,
    sensitivity: report.sensitivity,
    author_name: report.authorName,
    contact: report.contact,
    source: report.source,
    revision: report.revision,
    fields: JSON.stringify(report.fields),
    created_by: report.createdBy,
    idempotency_key: report.idempotency?.key ?? null,
    idempotency_fingerprint: report.idempotency?.fingerprint ?? null,
    published_by: report.publishedBy,
  };
}

function toReport(row: ReportRow, categories: string[]): Report {
  return {
    seq: Number(row.seq),
    id: row.id,
    surveyId: row.survey_id,
    title: row.title,
    description: row.description,
    location:
      row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon, accuracyM: row.accuracy_m },
    locationName: row.location_name,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    status: row.status as ReportStatus,
    verification: row.verification as VerificationState,
    sensitivity: row.sensitivity as Sensitivity,
    authorName: row.author_name,
    contact: row.contact,
    source: row.source as ReportSource,
    revision: row.revision,
    fields: JSON.parse(row.fields) as Record<string, FieldValue>,
    createdBy: row.created_by,
    categories,
    idempotency:
      row.idempotency_key && row.idempotency_fingerprint
        ? { key: row.idempotency_key, fingerprint: row.idempotency_fingerprint }
        : null,
  };
}

function snapshotOf(report: Report): string {
  return JSON.stringify(report);
}

/** Above this many points in a box, walking reports newest-first beats sorting the R*Tree's hits. */
const largeBboxHits = 20_000;

interface PendingInsert {
  report: Omit<Report, 'seq'>;
  changes: readonly LedgerChange[];
  resolve(seq: number): void;
  reject(error: unknown): void;
  seq?: number;
  error?: unknown;
}

class InsertBatcher {
  private pending: PendingInsert[] = [];
  private readonly insertOne: (report: Omit<Report, 'seq'>) => number;
  private readonly insertAll: SqliteDatabase.Transaction<(batch: PendingInsert[]) => void>;

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    columns: string[],
    ledger: LedgerRepository,
  ) {
    const insertReport = sqlite.prepare(
      `INSERT INTO reports (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    const insertCategory = sqlite.prepare(
      'INSERT INTO report_categories (report_id, category_id) VALUES (?, ?)',
    );
    const insertRevision = sqlite.prepare(
      'INSERT INTO report_revisions (report_id, revision, snapshot, actor_id, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    // Nested better-sqlite3 transactions become savepoints: a failing report rolls back only itself.
    this.insertOne = sqlite.transaction((report: Omit<Report, 'seq'>) => {
      const seq = Number(insertReport.run(toRow({ ...report, seq: 0 })).lastInsertRowid);
      for (const categoryId of report.categories) insertCategory.run(report.id, categoryId);
      insertRevision.run(
        report.id,
        report.revision,
        snapshotOf({ ...report, seq }),
        report.createdBy,
        report.updatedAt,
      );
      return seq;
    });
    this.insertAll = sqlite.transaction((batch: PendingInsert[]) => {
      for (const item of batch) {
        try {
          item.seq = this.insertOne(item.report);
        } catch (error) {
          item.error = error;
        }
      }
      // The stored reports' entries go on the record together, reading and writing the log's head once per
      // batch instead of once per report. Should this fail, the whole batch rolls back and nobody is told yes.
      ledger.appendSync(batch.filter((item) => item.seq !== undefined).flatMap((item) => item.changes));
    });
  }

  add(report: Omit<Report, 'seq'>, changes: readonly LedgerChange[]): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ report, changes, resolve, reject });
    });
  }

  private flush(): void {
    // Never join a transaction the query builder has open on the same connection: its rollback would
    // take back reports we are about to acknowledge. Wait for it to finish instead.
    if (this.sqlite.inTransaction) {
      setImmediate(() => this.flush());
      return;
    }
    const batch = this.pending;
    this.pending = [];
    try {
      // IMMEDIATE takes the write lock before the log's head is read, so a CLI writing from another process
      // cannot slip an entry in between.
      this.insertAll.immediate(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      if (item.seq !== undefined) item.resolve(item.seq);
      else item.reject(item.error);
    }
  }
}

export class ReportsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** Where the public changes to reports are recorded, in the same transaction as the change. */
    private readonly ledger: LedgerRepository,
    /** The raw SQLite handle for the prepared-statement fast path; null on PostgreSQL. */
    private readonly sqlite: SqliteDatabase.Database | null = null,
  ) {}

  private insertBatch: InsertBatcher | undefined;

  /**
   * Stores a new report with its categories, first revision and public-record entries (when it is published
   * at once), all or nothing; returns its seq.
   */
  async insert(report: Omit<Report, 'seq'>, changes: readonly LedgerChange[] = []): Promise<number> {
    if (this.sqlite) return this.insertWithPreparedStatements(report, changes, this.sqlite);
    return this.db.transaction().execute(async (trx) => {
      const { seq } = await trx
        .insertInto('reports')
        .values(toRow({ ...report, seq: 0 }))
        .returning('seq')
        .executeTakeFirstOrThrow();
      await this.writeCategories(trx, report.id, report.categories);
      await this.writeRevision(trx, { ...report, seq: Number(seq) }, report.createdBy);
      await this.ledger.append(trx, changes);
      return Number(seq);
    });
  }

  /**
   * Report submission is the hottest write path. On SQLite it skips the query builder and groups the
   * reports that arrive in the same turn of the event loop into one transaction (one WAL write instead of
   * one each), with a savepoint per report so one bad report fails alone. Each caller is answered only
   * after the commit, so nothing is acknowledged before it is durable.
   */
  private insertWithPreparedStatements(
    report: Omit<Report, 'seq'>,
    changes: readonly LedgerChange[],
    sqlite: SqliteDatabase.Database,
  ): Promise<number> {
    this.insertBatch ??= new InsertBatcher(sqlite, Object.keys(toRow({ ...report, seq: 0 })), this.ledger);
    return this.insertBatch.add(report, changes);
  }

  /**
   * Saves an edit only if nobody else saved one since `expectedRevision`; records the new revision.
   * Returns false when the stored revision moved on, or when a vote changed the verification state in the
   * meantime: votes do not make revisions, and an edit must not write back, or record, a stale state.
   */
  async update(
    report: Report,
    expectedRevision: number,
    actorId: string | null,
    changes: readonly LedgerChange[] = [],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { id: _id, ...columns } = toRow(report);
      const result = await trx
        .updateTable('reports')
        .set(columns)
        .where('id', '=', report.id)
        .where('revision', '=', expectedRevision)
        .where('verification', '=', report.verification)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx.deleteFrom('report_categories').where('report_id', '=', report.id).execute();
      await this.writeCategories(trx, report.id, report.categories);
      await this.writeRevision(trx, report, actorId);
      await this.ledger.append(trx, changes);
      return true;
    });
  }

  async findById(id: string): Promise<Report | undefined> {
    return this.findBy('id', id);
  }

  async findByIdempotencyKey(key: string): Promise<Report | undefined> {
    return this.findBy('idempotency_key', key);
  }

  private async findBy(column: 'id' | 'idempotency_key', value: string): Promise<Report | undefined> {
    const row = await this.db.selectFrom('reports').selectAll().where(column, '=', value).executeTakeFirst();
    if (!row) return undefined;
    const categories = await this.categoriesOf([row.id]);
    return toReport(row as ReportRow, categories.get(row.id) ?? []);
  }

  /** Newest first by arrival; `beforeSeq` continues a listing without skips or repeats as reports arrive. */
  async list(query: ReportQuery): Promise<Report[]> {
    return (await this.listStored(query)).map((stored) => stored.report);
  }

  /** The same listing with each report's stored public position, for checking it against the record. */
  async listStored(query: ReportQuery): Promise<StoredReport[]> {
    const rows = (await (await this.filtered(query)).selectAll().execute()) as ReportRow[];
    const categories = await this.categoriesOf(rows.map((row) => row.id));
    return rows.map((row) => ({
      report: toReport(row, categories.get(row.id) ?? []),
      publicPosition: publicPositionOf(row),
    }));
  }

  /**
   * The same listing, reading only the public columns: exports stream millions of rows, and each column
   * not read is time and memory saved (and a private one cannot leak).
   */
  async listPublicSummaries(query: ReportQuery): Promise<PublicReportSummary[]> {
    const rows = await (await this.filtered(query))
      .select([
        'seq',
        'id',
        'title',
        'description',
        'public_lat',
        'public_lon',
        'location_name',
        'sensitivity',
        'occurred_at',
        'received_at',
        'published_at',
        'verification',
        'author_name',
        'source',
      ])
      .execute();
    const categories = await this.categoriesOf(rows.map((row) => row.id));
    return rows.map((row) => ({
      seq: Number(row.seq),
      id: row.id,
      title: row.title,
      description: row.description,
      publicLocation: publicPositionOf(row),
      locationName: publicLocationName(row.sensitivity, row.location_name),
      occurredAt: row.occurred_at,
      receivedAt: row.received_at,
      publishedAt: row.published_at,
      verification: row.verification as VerificationState,
      authorName: row.author_name,
      source: row.source as ReportSource,
      categories: categories.get(row.id) ?? [],
    }));
  }

  private async filtered(query: ReportQuery) {
    let select = this.db.selectFrom('reports');
    if (query.statuses) select = select.where('status', 'in', query.statuses);
    if (query.verification) select = select.where('verification', '=', query.verification);
    if (query.beforeSeq !== null) select = select.where('seq', '<', query.beforeSeq);
    if (query.since) select = select.where('occurred_at', '>=', query.since);
    if (query.until) select = select.where('occurred_at', '<=', query.until);
    if (query.bbox) {
      select = select.where(
        reportWithinBbox(this.dialect, query.bbox, await this.bboxIsSelective(query.bbox)),
      );
    }
    if (query.searchTerms)
      select = select.where(
        reportMatchesText(this.dialect, query.searchTerms, query.searchesHiddenNames ?? false),
      );
    const categoryIds = query.categoryIds;
    if (categoryIds) {
      select = select.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('report_categories')
            .select('report_categories.report_id')
            .whereRef('report_categories.report_id', '=', 'reports.id')
            .where('report_categories.category_id', 'in', categoryIds),
        ),
      );
    }
    return select.orderBy('seq', 'desc').limit(query.limit);
  }

  /** Whether the spatial index should drive a bbox query: yes unless the box holds a large share of the data. */
  private async bboxIsSelective(box: BoundingBox): Promise<boolean> {
    if (this.dialect !== 'sqlite') return true;
    const { rows } = await sqliteBboxHitsUpTo(box, largeBboxHits).execute(this.db);
    return Number(rows[0]?.hits ?? 0) < largeBboxHits;
  }

  async revisions(id: string): Promise<Revision[]> {
    const rows = await this.db
      .selectFrom('report_revisions')
      .selectAll()
      .where('report_id', '=', id)
      .orderBy('revision')
      .execute();
    return rows.map((row) => ({
      revision: row.revision,
      actorId: row.actor_id,
      createdAt: row.created_at,
      snapshot: JSON.parse(row.snapshot) as Report,
    }));
  }

  /** The votes on each of these reports, oldest first, in one query for a whole page. */
  async votesOf(reportIds: readonly string[]): Promise<Map<string, Vote[]>> {
    const byReport = new Map<string, Vote[]>();
    if (reportIds.length === 0) return byReport;
    const rows = await this.db
      .selectFrom('votes')
      .select(['report_id', 'voter', 'verdict', 'reason', 'created_at'])
      .where('report_id', 'in', [...new Set(reportIds)])
      // The record's order is the order votes were counted in, even when two share a timestamp.
      .orderBy('ledger_index')
      .orderBy('created_at')
      .execute();
    for (const row of rows) {
      const vote: Vote = {
        reportId: row.report_id,
        voter: row.voter,
        verdict: row.verdict as Verdict,
        reason: row.reason,
        createdAt: row.created_at,
      };
      const list = byReport.get(row.report_id);
      if (list) list.push(vote);
      else byReport.set(row.report_id, [vote]);
    }
    return byReport;
  }

  private async categoriesOf(reportIds: string[]): Promise<Map<string, string[]>> {
    const byReport = new Map<string, string[]>();
    if (reportIds.length === 0) return byReport;
    const rows = await this.db
      .selectFrom('report_categories')
      .select(['report_id', 'category_id'])
      .where('report_id', 'in', reportIds)
      .execute();
    for (const row of rows) {
      const list = byReport.get(row.report_id);
      if (list) list.push(row.category_id);
      else byReport.set(row.report_id, [row.category_id]);
    }
    return byReport;
  }

  private async writeCategories(
    trx: Transaction<Database>,
    reportId: string,
    categoryIds: string[],
  ): Promise<void> {
    if (categoryIds.length === 0) return;
    await trx
      .insertInto('report_categories')
      .values(categoryIds.map((categoryId) => ({ report_id: reportId, category_id: categoryId })))
      .execute();
  }

  private async writeRevision(
    trx: Transaction<Database>,
    report: Report,
    actorId: string | null,
  ): Promise<void> {
    await trx
      .insertInto('report_revisions')
      .values({
        report_id: report.id,
        revision: report.revision,
        snapshot: snapshotOf(report),
        actor_id: actorId,
        created_at: report.updatedAt,
      })
      .execute();
  }
}
