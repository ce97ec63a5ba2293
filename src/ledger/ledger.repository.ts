import type SqliteDatabase from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Database } from '../db/schema.js';
import {
  appendToTree,
  type LedgerChange,
  peaksFromText,
  peaksToText,
  type StoredEntry,
  type TreeHead,
} from './entry.js';

type EntryRow = Database['ledger_entries'];

export interface StoredCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  note: string;
  createdAt: string;
}

function toRow(entry: StoredEntry): EntryRow {
  return {
    idx: entry.index,
    time: entry.time,
    action: entry.action,
    subject: entry.subject,
    actor: entry.actor,
    leaf: entry.leaf,
    content: entry.content,
    redacted: entry.redacted ? 1 : 0,
    tree_nodes: entry.treeNodes,
  };
}

function toEntry(row: EntryRow): StoredEntry {
  return {
    index: Number(row.idx),
    time: row.time,
    action: row.action,
    subject: row.subject,
    actor: row.actor,
    leaf: Buffer.from(row.leaf),
    content: row.content === null ? null : Buffer.from(row.content),
    redacted: row.redacted === 1,
    treeNodes: Buffer.from(row.tree_nodes),
  };
}

function toCheckpoint(row: Database['ledger_checkpoints']): StoredCheckpoint {
  return {
    treeSize: Number(row.tree_size),
    rootHash: Buffer.from(row.root_hash),
    note: row.note,
    createdAt: row.created_at,
  };
}

type Executor = Kysely<Database> | Transaction<Database>;

/** How many entries one INSERT carries: well under both databases' limits on bound parameters. */
const insertChunk = 500;

/**
 * The log's storage. Appends happen inside the caller's transaction, next to the change they record, so a
 * change and its entry are stored together or not at all. The head row is the log's lock: on PostgreSQL it
 * is read FOR UPDATE, so concurrent writers (several processes) append one after another.
 */
export class LedgerRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly sqlite: SqliteDatabase.Database | null = null,
  ) {}

  private syncStatements:
    | {
        head: SqliteDatabase.Statement<[], { size: number; peaks: string }>;
        insert: SqliteDatabase.Statement<EntryRow>;
        updateHead: SqliteDatabase.Statement<[number, string]>;
      }
    | undefined;

  /** Appends within `trx`; returns the new entries' indices. */
  async append(trx: Transaction<Database>, changes: readonly LedgerChange[]): Promise<number[]> {
    if (changes.length === 0) return [];
    let query = trx.selectFrom('ledger_head').select(['size', 'peaks']).where('id', '=', 1);
    if (this.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirstOrThrow();
    const { entries, head } = appendToTree(
      { size: Number(row.size), peaks: peaksFromText(row.peaks) },
      changes,
    );
    for (let i = 0; i < entries.length; i += insertChunk) {
      await trx
        .insertInto('ledger_entries')
        .values(entries.slice(i, i + insertChunk).map(toRow))
        .execute();
    }
    await trx
      .updateTable('ledger_head')
      .set({ size: head.size, peaks: peaksToText(head.peaks) })
      .where('id', '=', 1)
      .execute();
    return entries.map((entry) => entry.index);
  }

  /**
   * The same on SQLite's raw handle, for callers already inside a better-sqlite3 transaction (the grouped
   * report inserts). Synchronous, so nothing else can run between reading the head and writing it.
   */
  appendSync(changes: readonly LedgerChange[]): number[] {
    if (changes.length === 0) return [];
    if (!this.sqlite) throw new Error('appendSync needs SQLite');
    this.syncStatements ??= {
      head: this.sqlite.prepare('SELECT size, peaks FROM ledger_head WHERE id = 1'),
      insert: this.sqlite.prepare(
        `INSERT INTO ledger_entries (idx, time, action, subject, actor, leaf, content, redacted, tree_nodes)
         VALUES (@idx, @time, @action, @subject, @actor, @leaf, @content, @redacted, @tree_nodes)`,
      ),
      updateHead: this.sqlite.prepare('UPDATE ledger_head SET size = ?, peaks = ? WHERE id = 1'),
    };
    const statements = this.syncStatements;
    const row = statements.head.get();
    if (!row) throw new Error('the ledger head is missing');
    const { entries, head } = appendToTree(
      { size: Number(row.size), peaks: peaksFromText(row.peaks) },
      changes,
    );
    for (const entry of entries) statements.insert.run(toRow(entry));
    statements.updateHead.run(head.size, peaksToText(head.peaks));
    return entries.map((entry) => entry.index);
  }

  /** Appends in a transaction of its own, for changes that touch nothing else. */
  appendAlone(changes: readonly LedgerChange[]): Promise<number[]> {
    return this.transaction((trx) => this.append(trx, changes));
  }

  transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  async head(executor: Executor = this.db): Promise<TreeHead & { origin: string | null }> {
    const row = await executor
      .selectFrom('ledger_head')
      .select(['origin', 'size', 'peaks'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { origin: row.origin, size: Number(row.size), peaks: peaksFromText(row.peaks) };
  }

  /** Records the log's origin line once; returns the one that holds (an earlier one wins). */
  async claimOrigin(origin: string): Promise<string> {
    await this.db
      .updateTable('ledger_head')
      .set({ origin })
      .where('id', '=', 1)
      .where('origin', 'is', null)
      .execute();
    const { origin: stored } = await this.head();
    return stored ?? origin;
  }

  /** Entries [start, end), in order. */
  async range(start: number, end: number, executor: Executor = this.db): Promise<StoredEntry[]> {
    const rows = await executor
      .selectFrom('ledger_entries')
      .selectAll()
      .where('idx', '>=', start)
      .where('idx', '<', end)
      .orderBy('idx')
      .execute();
    return rows.map(toEntry);
  }

  async at(indices: readonly number[], executor: Executor = this.db): Promise<Map<number, StoredEntry>> {
    return this.byIndex(indices, async (chunk) => {
      const rows = await executor
        .selectFrom('ledger_entries')
        .selectAll()
        .where('idx', 'in', chunk)
        .execute();
      return rows.map((row) => [Number(row.idx), toEntry(row)] as const);
    });
  }

  /** Leaves and stored subtree hashes of these entries, all a proof needs (their content is not read). */
  async treeMaterial(indices: readonly number[]): Promise<Map<number, { leaf: Buffer; treeNodes: Buffer }>> {
    return this.byIndex(indices, async (chunk) => {
      const rows = await this.db
        .selectFrom('ledger_entries')
        .select(['idx', 'leaf', 'tree_nodes'])
        .where('idx', 'in', chunk)
        .execute();
      return rows.map(
        (row) =>
          [Number(row.idx), { leaf: Buffer.from(row.leaf), treeNodes: Buffer.from(row.tree_nodes) }] as const,
      );
    });
  }

  /** Looks entries up by index, in chunks small enough for both databases' limits on bound parameters. */
  private async byIndex<T>(
    indices: readonly number[],
    fetch: (chunk: number[]) => Promise<(readonly [number, T])[]>,
  ): Promise<Map<number, T>> {
    const found = new Map<number, T>();
    const unique = [...new Set(indices)];
    for (let i = 0; i < unique.length; i += insertChunk) {
      for (const [index, value] of await fetch(unique.slice(i, i + insertChunk))) found.set(index, value);
    }
    return found;
  }

  /** Every entry about one subject (e.g. `report:…`), oldest first. */
  async ofSubject(subject: string, executor: Executor = this.db): Promise<StoredEntry[]> {
    const rows = await executor
      .selectFrom('ledger_entries')
      .selectAll()
      .where('subject', '=', subject)
      .orderBy('idx')
      .execute();
    return rows.map(toEntry);
  }

  /** The newest entry about a subject, if any. */
  async latestOfSubject(subject: string, executor: Executor = this.db): Promise<StoredEntry | undefined> {
    const row = await executor
      .selectFrom('ledger_entries')
      .selectAll()
      .where('subject', '=', subject)
      .orderBy('idx', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  /** Removes the content of these entries; their leaves, and so every root, stay as they were. */
  async removeContent(trx: Transaction<Database>, indices: readonly number[]): Promise<void> {
    if (indices.length === 0) return;
    await trx
      .updateTable('ledger_entries')
      .set({ content: null, redacted: 1 })
      .where('idx', 'in', [...indices])
      .execute();
  }

  async latestCheckpoint(executor: Executor = this.db): Promise<StoredCheckpoint | undefined> {
    const row = await executor
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toCheckpoint(row) : undefined;
  }

  async checkpointAt(treeSize: number): Promise<StoredCheckpoint | undefined> {
    const row = await this.db
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .where('tree_size', '=', treeSize)
      .executeTakeFirst();
    return row ? toCheckpoint(row) : undefined;
  }

  /** Every stored checkpoint, smallest tree first. */
  async checkpoints(): Promise<StoredCheckpoint[]> {
    const rows = await this.db.selectFrom('ledger_checkpoints').selectAll().orderBy('tree_size').execute();
    return rows.map(toCheckpoint);
  }

  /** Stores a checkpoint unless one for that size is there already (signing is deterministic). */
  async saveCheckpoint(checkpoint: StoredCheckpoint, executor: Executor = this.db): Promise<void> {
    await executor
      .insertInto('ledger_checkpoints')
      .values({
        tree_size: checkpoint.treeSize,
        root_hash: checkpoint.rootHash,
        note: checkpoint.note,
        created_at: checkpoint.createdAt,
      })
      .onConflict((conflict) => conflict.column('tree_size').doNothing())
      .execute();
  }
}
