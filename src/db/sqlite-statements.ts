/**
 * What Kysely's SQLite dialect runs its queries through: better-sqlite3, with two costs taken out of every
 * query. Preparing a statement costs about as much as running a small one, so prepared statements are kept
 * and reused by their SQL text. And better-sqlite3 builds each result row as an object key by key, which
 * for a wide table is most of the time a large read takes; here rows come back as arrays and are turned
 * into objects by a function compiled once per statement, several times faster, with the same keys and
 * values.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Row = Record<string, unknown>;
type RowBuilder = (values: unknown[]) => Row;

/** Statements kept; SQL texts vary with the length of IN lists, so the cache is bounded. */
const defaultCapacity = 500;

/** Statements that change the schema: after one, kept statements may name columns that are no longer there. */
const schemaChange = /^\s*(create|alter|drop)\s/i;

/**
 * A function that makes an object literal of the given keys from a row's values. Each key is written as a
 * JSON string literal, so any column name is safe; the one key a literal would not make an own property
 * of, `__proto__`, gets no builder at all.
 */
function rowBuilderFor(names: readonly string[]): RowBuilder | null {
  if (names.includes('__proto__')) return null;
  const members = names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`);
  return new Function('values', `return { ${members.join(', ')} };`) as RowBuilder;
}

class Statement implements SqliteStatement {
  readonly reader: boolean;
  private names: string[] = [];
  private build: RowBuilder | null = null;

  constructor(
    private readonly statement: BetterSqlite3.Statement,
    private readonly afterRun: () => void,
  ) {
    this.reader = statement.reader;
    if (this.reader) this.learnColumns();
  }

  /** Whether a row iteration is still open on it: such a statement cannot run again until it ends. */
  get busy(): boolean {
    return this.statement.busy;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    if (!this.build) return this.statement.all(parameters);
    const rows = this.statement.all(parameters) as unknown[][];
    const objects: Row[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) objects[i] = this.toObject(rows[i]!);
    return objects;
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number; lastInsertRowid: number | bigint } {
    const result = this.statement.run(parameters);
    this.afterRun();
    return result;
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    if (!this.build) {
      yield* this.statement.iterate(parameters);
      return;
    }
    for (const row of this.statement.iterate(parameters) as IterableIterator<unknown[]>) {
      yield this.toObject(row);
    }
  }

  private toObject(values: unknown[]): Row {
    // SQLite re-prepares a statement by itself when another connection changed the schema; a row of
    // another width means its columns changed and are read again.
    if (values.length !== this.names.length) this.learnColumns();
    return this.build
      ? this.build(values)
      : Object.fromEntries(this.names.map((name, i) => [name, values[i]]));
  }

  private learnColumns(): void {
    this.names = this.statement.columns().map((column) => column.name);
    this.build = rowBuilderFor(this.names);
    this.statement.raw(this.build !== null);
  }
}

export class SqliteStatements implements SqliteDatabase {
  /** By SQL text, least recently used first. */
  private readonly kept = new Map<string, Statement>();

  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly capacity = defaultCapacity,
  ) {}

  prepare(sql: string): Statement {
    const kept = this.kept.get(sql);
    if (kept && !kept.busy) {
      this.kept.delete(sql);
      this.kept.set(sql, kept);
      return kept;
    }
    const changesSchema = schemaChange.test(sql);
    const statement = new Statement(this.sqlite.prepare(sql), changesSchema ? () => this.kept.clear() : noop);
    // One that is busy (a query run again while its rows are still being streamed) gets a twin for this
    // once; keeping the twin too would only push a useful statement out.
    if (!kept && !changesSchema) {
      this.kept.set(sql, statement);
      if (this.kept.size > this.capacity) this.kept.delete(this.kept.keys().next().value as string);
    }
    return statement;
  }

  close(): void {
    this.kept.clear();
    this.sqlite.close();
  }
}

function noop(): void {}
