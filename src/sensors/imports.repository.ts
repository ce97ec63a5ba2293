import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import type { NewReading } from './reading.js';
import type { ReadingsRepository } from './readings.repository.js';
import type { ImportMetadata, ImportStatus, ImportSummary, SensorImport } from './sensor-import.js';

type Row = Database['sensor_imports'];

function toImport(row: Row): SensorImport {
  return {
    id: row.id,
    ownerId: row.owner_id,
    deviceId: row.device_id,
    kind: row.kind as 'bgeigie',
    fileName: row.file_name,
    md5: row.md5,
    sizeBytes: Number(row.size_bytes),
    status: row.status as ImportStatus,
    format: row.format,
    deadTime: row.dead_time === 1,
    lineCount: row.line_count,
    acceptedCount: row.accepted_count,
    duplicateCount: row.duplicate_count,
    rejectedCount: row.rejected_count,
    rejectedLines: JSON.parse(row.rejected_lines) as SensorImport['rejectedLines'],
    metadata: JSON.parse(row.metadata) as ImportMetadata,
    summary: JSON.parse(row.summary) as ImportSummary,
    createdAt: row.created_at,
    submittedAt: row.submitted_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
  };
}

function toRow(item: SensorImport): Row {
  return {
    id: item.id,
    owner_id: item.ownerId,
    device_id: item.deviceId,
    kind: item.kind,
    file_name: item.fileName,
    md5: item.md5,
    size_bytes: item.sizeBytes,
    status: item.status,
    format: item.format,
    dead_time: item.deadTime ? 1 : 0,
    line_count: item.lineCount,
    accepted_count: item.acceptedCount,
    duplicate_count: item.duplicateCount,
    rejected_count: item.rejectedCount,
    rejected_lines: JSON.stringify(item.rejectedLines),
    metadata: JSON.stringify(item.metadata),
    summary: JSON.stringify(item.summary),
    created_at: item.createdAt,
    submitted_at: item.submittedAt,
    decided_at: item.decidedAt,
    decided_by: item.decidedBy,
    decision_reason: item.decisionReason,
  };
}

export interface ImportFilter {
  ownerId?: string;
  status?: ImportStatus;
  deviceId?: string;
}

export class ImportsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly readings: ReadingsRepository,
    /** Approvals and rejections are public, recorded in the same transaction. */
    private readonly ledger: LedgerRepository,
  ) {}

  /**
   * Stores the import and its readings in one transaction: a file is in whole or not at all. Returns how
   * many of the readings were already stored, which the stored import counts as duplicates.
   */
  async insert(item: SensorImport, readings: readonly NewReading[]): Promise<SensorImport> {
    return this.db.transaction().execute(async (trx) => {
      const outcome = await this.readings.insert(trx, readings, false);
      const stored = { ...item, duplicateCount: item.duplicateCount + outcome.duplicates };
      await trx.insertInto('sensor_imports').values(toRow(stored)).execute();
      return stored;
    });
  }

  async findById(id: string, executor: Kysely<Database> | Transaction<Database> = this.db) {
    const row = await executor
      .selectFrom('sensor_imports')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toImport(row) : undefined;
  }

  async findByMd5(ownerId: string, md5: string): Promise<SensorImport | undefined> {
    const row = await this.db
      .selectFrom('sensor_imports')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('md5', '=', md5)
      .executeTakeFirst();
    return row ? toImport(row) : undefined;
  }

  async list(filter: ImportFilter, limit: number): Promise<SensorImport[]> {
    let query = this.db.selectFrom('sensor_imports').selectAll();
    if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.deviceId) query = query.where('device_id', '=', filter.deviceId);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toImport);
  }

  async countApproved(ownerId: string): Promise<number> {
    const row = await this.db
      .selectFrom('sensor_imports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', ownerId)
      .where('status', '=', 'approved')
      .where('decided_by', '<>', 'rule:auto-approve')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Moves the import from `from` to its new state; false when it was no longer in `from`. */
  async transition(
    item: SensorImport,
    from: ImportStatus,
    changes: readonly LedgerChange[],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { id, ...columns } = toRow(item);
      const result = await trx
        .updateTable('sensor_imports')
        .set(columns)
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (item.status === 'approved') await this.readings.publishImport(trx, id);
      await this.ledger.append(trx, changes);
      return true;
    });
  }
}
