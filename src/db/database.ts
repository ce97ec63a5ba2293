import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { SqliteStatements } from './sqlite-statements.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** The raw driver, for the few hot paths that use prepared statements directly (SQLite only). */
  sqlite: SqliteDatabase.Database | null;
  /** The PostgreSQL schema Tally works in, when not the default one. */
  pgSchema: string | null;
  /** How to open another connection to this same database; null when none can (SQLite in memory). */
  sameDatabase: DatabaseOptions | null;
  destroy(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…`; when absent, SQLite at `sqlitePath`. */
  databaseUrl?: string | null;
  sqlitePath?: string;
  /** PostgreSQL schema to work in (tests give each run its own). */
  pgSchema?: string;
  pgPoolSize?: number;
}

export function openSqlite(file: string): SqliteDatabase.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers (exports, map) run while a writer commits; NORMAL sync is durable across process
  // crashes in WAL mode, which is what "acknowledged is never lost" needs on one machine.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

export function openDatabase(options: DatabaseOptions): Db {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.pgPoolSize ?? 10,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
      types: {
        getTypeParser(oid: number, format?: 'text' | 'binary') {
          // COUNT(*) and bigserial come back as int8; every count here fits a double.
          if (oid === 20) return (value: string) => Number(value);
          return pg.types.getTypeParser(oid, format);
        },
      },
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kysely,
      dialect: 'postgres',
      sqlite: null,
      pgSchema: options.pgSchema ?? null,
      sameDatabase: { databaseUrl: options.databaseUrl, pgSchema: options.pgSchema },
      destroy: () => kysely.destroy(),
    };
  }
  const sqlitePath = options.sqlitePath ?? ':memory:';
  const sqlite = openSqlite(sqlitePath);
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SqliteStatements(sqlite) }),
  });
  return {
    kysely,
    dialect: 'sqlite',
    sqlite,
    pgSchema: null,
    sameDatabase: sqlitePath === ':memory:' ? null : { sqlitePath: path.resolve(sqlitePath) },
    destroy: () => kysely.destroy(),
  };
}
