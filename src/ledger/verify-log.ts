/**
 * The first half of `tally ledger verify`: the log itself. Every leaf is the canonical JSON of its row and
 * its content's hash (a), the tree recomputed from the leaves gives every stored subtree hash and the head
 * (b), every stored checkpoint is signed by the deployment's key and signs the root the entries give (c),
 * and content is only ever missing where a later `record.redacted` entry says why. This half can run in a
 * worker thread of its own, on its own connection, while the other half compares the tables.
 */
import { hash } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { sql, type Transaction } from 'kysely';
import { type DatabaseOptions, type Db, type Dialect, openDatabase } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { openCheckpoint } from './checkpoint.js';
import { peaksFromText } from './entry.js';
import { type LeafFields, leafText } from './leaf.js';
import type { LedgerIdentity } from './ledger.service.js';
import { HASH_LENGTH, MerkleAccumulator } from './merkle.js';
import { parseContent, type RedactionRecord } from './record-content.js';
import { bytes, type JsonObject, type ProblemSummary, Problems, parseObject } from './verify-problems.js';

type Trx = Transaction<Database>;
export type VerifyIdentity = Pick<LedgerIdentity, 'origin' | 'verifier'>;

/** An entry as the walk reads it. */
export interface WalkedEntry {
  index: number;
  time: string;
  action: string;
  subject: string;
  actor: string;
  redacted: number;
  leaf: Buffer;
  content: Buffer | null;
  treeNodes: Buffer;
}

/** The log's head row as one transaction saw it: two halves agree on the log when they saw the same. */
export interface HeadRow {
  size: number;
  peaks: string;
}

export interface LogWalkResult {
  /** Entries in the log as recomputed: the index after the last one read. */
  treeSize: number;
  entriesChecked: number;
  checkpointsChecked: number;
  head: HeadRow | null;
}

interface PendingCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  note: string;
}

/** Runs `work` in one read transaction: a snapshot, so that writes meanwhile cannot make the record seem to disagree with itself. */
export function inSnapshot<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  let transaction = db.kysely.transaction();
  if (db.dialect === 'postgres') {
    transaction = transaction.setIsolationLevel('repeatable read').setAccessMode('read only');
  }
  return transaction.execute(work);
}

export async function readHead(trx: Trx): Promise<HeadRow | null> {
  const row = await trx
    .selectFrom('ledger_head')
    .select(['size', 'peaks'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return row ? { size: Number(row.size), peaks: row.peaks } : null;
}

function sha256(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

// SHA-256(0x00 ‖ leaf), as merkle.ts's leafHash, through the one-shot hash and one reused input buffer:
// over a million leaves that is several times faster than a hash object per leaf.
let leafInput = Buffer.alloc(1024);

function leafHashOf(leaf: Buffer): Buffer {
  if (leafInput.length < leaf.length + 1) leafInput = Buffer.alloc(2 * leaf.length + 1);
  leafInput[0] = 0x00;
  leaf.copy(leafInput, 1);
  return hash('sha256', leafInput.subarray(0, leaf.length + 1), 'buffer');
}

function sameNodes(closed: readonly Buffer[], stored: Buffer): boolean {
  if (stored.length !== closed.length * HASH_LENGTH) return false;
  return closed.every(
    (node, k) => stored.compare(node, 0, HASH_LENGTH, k * HASH_LENGTH, (k + 1) * HASH_LENGTH) === 0,
  );
}

function parseLeaf(leaf: Buffer): JsonObject | null {
  return parseObject(leaf);
}

/** Why a leaf is not the canonical JSON of its row's fields and its content's hash. */
function explainLeaf(fields: LeafFields, leaf: Buffer, contentSha256: string | null): string {
  const parsed = parseLeaf(leaf);
  if (!parsed) return 'its leaf is not JSON';
  if (contentSha256 !== null && parsed.content_sha256 !== contentSha256) {
    return "its content's SHA-256 is not the one its leaf names";
  }
  for (const key of ['action', 'actor', 'subject', 'time'] as const) {
    if (parsed[key] !== fields[key]) {
      return `its leaf says ${key} ${JSON.stringify(parsed[key] ?? null)} but the row says ${JSON.stringify(fields[key])}`;
    }
  }
  return 'its leaf is not the canonical JSON of its fields';
}

/** Check (a): the leaf is exactly the canonical JSON of the row's fields and its content's SHA-256. */
function leafProblems(entry: WalkedEntry): string[] {
  const { leaf, content } = entry;
  const fields: LeafFields = {
    action: entry.action,
    actor: entry.actor,
    subject: entry.subject,
    time: entry.time,
  };
  if (content !== null) {
    const problems = entry.redacted === 0 ? [] : ['it is marked redacted but still holds content'];
    const contentSha256 = sha256(content);
    if (!Buffer.from(leafText(fields, contentSha256), 'utf8').equals(leaf)) {
      problems.push(explainLeaf(fields, leaf, contentSha256));
    }
    return problems;
  }
  const problems = entry.redacted === 1 ? [] : ['its content is missing but it is not marked redacted'];
  // Without the content, the leaf still has to be the canonical form of the row and some SHA-256.
  const named = parseLeaf(leaf)?.content_sha256;
  if (typeof named !== 'string' || !/^[0-9a-f]{64}$/.test(named)) {
    problems.push('its leaf does not name its content by a SHA-256');
  } else if (!Buffer.from(leafText(fields, named), 'utf8').equals(leaf)) {
    problems.push(explainLeaf(fields, leaf, null));
  }
  return problems;
}

export class LogWalk {
  private readonly tree = new MerkleAccumulator();
  /** The index the next entry should have. */
  private position = 0;
  /** Where entries go missing: the tree cannot be recomputed past it. */
  private treeBrokenAt: number | null = null;
  private checkpointsLoadedUpTo = -1;
  private pendingCheckpoints: PendingCheckpoint[] = [];
  /** Entries whose content is gone, until a later `record.redacted` names them. */
  private readonly unexplainedRedactions = new Set<number>();
  private entriesChecked = 0;
  private checkpointsChecked = 0;

  constructor(
    private readonly trx: Trx,
    private readonly dialect: Dialect,
    private readonly identity: VerifyIdentity,
    private readonly problems: Problems,
    private readonly batchSize: number,
    /** Shown every entry once it is checked (the other half, when both run in one transaction). */
    private readonly onEntry: (entry: WalkedEntry) => void = () => {},
  ) {}

  async run(): Promise<LogWalkResult> {
    const head = await readHead(this.trx);
    await this.walkEntries();
    this.checkHead(head);
    for (const index of this.unexplainedRedactions) {
      this.problems.add(index, 'its content was removed, but no record.redacted entry after it names it');
    }
    return {
      treeSize: this.position,
      entriesChecked: this.entriesChecked,
      checkpointsChecked: this.checkpointsChecked,
      head,
    };
  }

  private async walkEntries(): Promise<void> {
    await this.loadCheckpoints(0);
    this.checkDueCheckpoints();
    let from = 0;
    for (;;) {
      const rows = await this.entriesFrom(from);
      const last = rows.at(-1);
      if (!last) break;
      await this.loadCheckpoints(last.index + 1);
      for (const row of rows) this.checkEntry(row);
      if (rows.length < this.batchSize) break;
      from = last.index + 1;
    }
    await this.checkCheckpointsPastTheEnd();
  }

  /**
   * The next batch of entries. The three byte columns come back concatenated in one value and are cut apart
   * here: every value read costs an allocation, and over a million rows reading one instead of three takes
   * about a third off the whole walk.
   */
  private async entriesFrom(from: number): Promise<WalkedEntry[]> {
    const packed =
      this.dialect === 'sqlite'
        ? sql<Uint8Array>`CAST(leaf || coalesce(content, x'') || tree_nodes AS BLOB)`
        : sql<Uint8Array>`leaf || coalesce(content, ''::bytea) || tree_nodes`;
    const rows = await this.trx
      .selectFrom('ledger_entries')
      .select([
        'idx',
        'time',
        'action',
        'subject',
        'actor',
        'redacted',
        sql<number>`octet_length(leaf)`.as('leaf_length'),
        sql<number | null>`octet_length(content)`.as('content_length'),
        packed.as('packed'),
      ])
      .where('idx', '>=', from)
      .orderBy('idx')
      .limit(this.batchSize)
      .execute();
    return rows.map((row) => {
      const all = bytes(row.packed);
      const leafEnd = Number(row.leaf_length);
      const contentEnd = leafEnd + Number(row.content_length ?? 0);
      return {
        index: Number(row.idx),
        time: row.time,
        action: row.action,
        subject: row.subject,
        actor: row.actor,
        redacted: Number(row.redacted),
        leaf: all.subarray(0, leafEnd),
        content: row.content_length === null ? null : all.subarray(leafEnd, contentEnd),
        treeNodes: all.subarray(contentEnd),
      };
    });
  }

  private checkEntry(row: WalkedEntry): void {
    const index = row.index;
    if (index !== this.position) {
      const gap =
        this.position === 0
          ? `the log starts at entry ${index}`
          : `the log skips from entry ${this.position - 1} to entry ${index}`;
      this.problems.add(this.position, gap);
      this.treeBrokenAt ??= this.position;
      this.position = index;
    }
    for (const message of leafProblems(row)) {
      this.problems.add(index, `${row.subject} (${row.action}): ${message}`);
    }
    if (row.content === null) this.unexplainedRedactions.add(index);
    if (this.treeBrokenAt === null) {
      const closed = this.tree.append(leafHashOf(row.leaf));
      if (!sameNodes(closed, row.treeNodes)) {
        this.problems.add(
          index,
          `${row.subject} (${row.action}): its stored subtree hashes are not the tree's`,
        );
      }
    }
    this.position = index + 1;
    this.entriesChecked += 1;
    this.checkDueCheckpoints();
    if (row.action === 'record.redacted') this.noteRedaction(row);
    this.onEntry(row);
  }

  private noteRedaction({ index, content }: WalkedEntry): void {
    const named = parseContent<RedactionRecord>(content)?.entries;
    if (!Array.isArray(named)) return;
    // A redaction explains only content removed before it, never a later entry's.
    for (const earlier of named) if (earlier < index) this.unexplainedRedactions.delete(earlier);
  }

  /** Reads the checkpoints of trees up to `treeSize` entries that are not read yet, smallest first. */
  private async loadCheckpoints(treeSize: number): Promise<void> {
    if (treeSize <= this.checkpointsLoadedUpTo) return;
    const rows = await this.trx
      .selectFrom('ledger_checkpoints')
      .select(['tree_size', 'root_hash', 'note'])
      .where('tree_size', '>', this.checkpointsLoadedUpTo)
      .where('tree_size', '<=', treeSize)
      .orderBy('tree_size')
      .execute();
    this.pendingCheckpoints.push(
      ...rows.map((row) => ({
        treeSize: Number(row.tree_size),
        rootHash: bytes(row.root_hash),
        note: row.note,
      })),
    );
    this.checkpointsLoadedUpTo = treeSize;
  }

  /** Checks every loaded checkpoint whose tree the walk has now reached. */
  private checkDueCheckpoints(): void {
    let due = 0;
    while (due < this.pendingCheckpoints.length && this.pendingCheckpoints[due]!.treeSize <= this.position) {
      const checkpoint = this.pendingCheckpoints[due]!;
      this.checkCheckpoint(checkpoint, this.treeBrokenAt === null ? this.tree.root() : null);
      due += 1;
    }
    if (due > 0) this.pendingCheckpoints.splice(0, due);
  }

  /** Checkpoints of trees larger than the log: entries they signed are gone. */
  private async checkCheckpointsPastTheEnd(): Promise<void> {
    for (const checkpoint of this.pendingCheckpoints) this.checkCheckpoint(checkpoint, null);
    this.pendingCheckpoints = [];
    for (;;) {
      const rows = await this.trx
        .selectFrom('ledger_checkpoints')
        .select(['tree_size', 'root_hash', 'note'])
        .where('tree_size', '>', this.checkpointsLoadedUpTo)
        .orderBy('tree_size')
        .limit(this.batchSize)
        .execute();
      const last = rows.at(-1);
      if (!last) return;
      for (const row of rows) {
        this.checkCheckpoint(
          { treeSize: Number(row.tree_size), rootHash: bytes(row.root_hash), note: row.note },
          null,
        );
      }
      this.checkpointsLoadedUpTo = Number(last.tree_size);
    }
  }

  /** Check (c), against the recomputed root of the checkpoint's tree (null when it cannot be recomputed). */
  private checkCheckpoint(checkpoint: PendingCheckpoint, root: Buffer | null): void {
    this.checkpointsChecked += 1;
    const message = this.checkpointProblem(checkpoint, root);
    if (message === null) return;
    // Its last entry is at fault unless an earlier entry already is (which would explain the mismatch).
    const lastOfTree = Math.min(checkpoint.treeSize - 1, this.position);
    const first = this.problems.first;
    this.problems.add(lastOfTree < 0 ? first : Math.min(first ?? lastOfTree, lastOfTree), message);
  }

  private checkpointProblem(checkpoint: PendingCheckpoint, root: Buffer | null): string | null {
    const what = `the checkpoint of ${checkpoint.treeSize} entries`;
    const { origin, verifier } = this.identity;
    const opened = openCheckpoint(checkpoint.note, verifier, origin);
    if (!opened) return `${what} does not verify with this deployment's key for ${origin}`;
    if (opened.treeSize !== checkpoint.treeSize)
      return `${what} is stored as a signed tree of ${opened.treeSize}`;
    const signed = Buffer.from(opened.rootHash);
    if (!signed.equals(checkpoint.rootHash))
      return `${what} is stored beside a root other than the one it signs`;
    if (checkpoint.treeSize > this.position) {
      return `${what} signs more entries than the log holds (${this.position})`;
    }
    if (root === null) return `${what} cannot be checked: entries in its tree are missing`;
    if (root.equals(signed)) return null;
    return `${what} signs root ${signed.toString('base64')} but the entries give ${root.toString('base64')}`;
  }

  private checkHead(head: HeadRow | null): void {
    if (!head) {
      this.problems.add(null, 'the log has no head row');
      return;
    }
    if (this.treeBrokenAt !== null) return;
    if (head.size !== this.position) {
      this.problems.add(
        Math.min(head.size, this.position),
        `the log's head says it holds ${head.size} entries, but ${this.position} are stored`,
      );
      return;
    }
    let peaks: Buffer[] | null;
    try {
      peaks = peaksFromText(head.peaks);
    } catch {
      peaks = null;
    }
    const recomputed = this.tree.peaks();
    if (peaks?.length !== recomputed.length || !peaks.every((peak, i) => peak.equals(recomputed[i]!))) {
      this.problems.add(this.position - 1, "the log's head holds subtree hashes other than the entries give");
    }
  }
}

// --- The walk in a worker thread ---

const workerTask = 'tally: walk the public record';

interface LogWalkJob {
  task: typeof workerTask;
  database: DatabaseOptions;
  identity: VerifyIdentity;
  batchSize: number;
  maxProblems: number;
}

export type LogWalkOutcome = { result: LogWalkResult; problems: ProblemSummary } | { error: string };

/**
 * Walks the log in a worker thread, on a connection of its own to the same database. This module is the
 * worker's code too (in the bundle, the bundle is), so nothing else needs to ship for it.
 */
export function walkLogInWorker(job: Omit<LogWalkJob, 'task'>): Promise<LogWalkOutcome> {
  return new Promise((resolve) => {
    const code = workerCode();
    const worker = new Worker(code, {
      eval: typeof code === 'string',
      workerData: { ...job, task: workerTask },
    });
    let outcome: LogWalkOutcome | null = null;
    worker.once('message', (message: LogWalkOutcome) => {
      outcome = message;
    });
    worker.once('error', (error) => {
      outcome ??= { error: error.message };
    });
    worker.once('exit', (code) =>
      resolve(outcome ?? { error: `the walk's worker exited with code ${code}` }),
    );
  });
}

/**
 * What the worker runs: this module. Run from TypeScript sources (tests, development), the worker loads it
 * through tsx, since Node 20 does not pass the loader on to workers.
 */
function workerCode(): URL | string {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new URL(self);
  return `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(self)}, ${JSON.stringify(self)}));`;
}

async function runJob(job: LogWalkJob): Promise<LogWalkOutcome> {
  const db = openDatabase({ ...job.database, pgPoolSize: 1 });
  try {
    const problems = new Problems(job.maxProblems);
    const result = await inSnapshot(db, (trx) =>
      new LogWalk(trx, db.dialect, job.identity, problems, job.batchSize).run(),
    );
    return { result, problems: problems.summary() };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await db.destroy();
  }
}

if (!isMainThread && (workerData as LogWalkJob | undefined)?.task === workerTask) {
  runJob(workerData as LogWalkJob).then((outcome) => parentPort?.postMessage(outcome));
}
