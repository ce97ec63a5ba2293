/**
 * `tally ledger verify`: recomputes the public record from the database and checks that it holds together
 * (leaves, content, subtree hashes, the head, signed checkpoints) and that what the database shows the
 * public is what the record says. Entries are read in keyset batches, and only small maps of "which entry
 * last spoke about this report, vote or category" are kept, so memory stays flat however long the log is.
 */
import { hash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { CategoriesRepository, type Category } from '../categories/categories.repository.js';
import { toCategoryView } from '../categories/categories.service.js';
import type { Db, Dialect } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { type ReportQuery, ReportsRepository, type StoredReport } from '../reports/reports.repository.js';
import { reportRecordContent } from '../reports/reports.service.js';
import { type Survey, SurveysRepository } from '../surveys/surveys.repository.js';
import { canonicalJson, type JsonValue, sameJson } from './canonical-json.js';
import { openCheckpoint } from './checkpoint.js';
import { peaksFromText } from './entry.js';
import { type LeafFields, leafText } from './leaf.js';
import { LedgerRepository } from './ledger.repository.js';
import type { LedgerIdentity } from './ledger.service.js';
import { HASH_LENGTH, MerkleAccumulator } from './merkle.js';
import type { PublicRecord } from './public-record.js';
import { parseContent, type RedactionRecord, type RoleRecord, type VoteRecord } from './record-content.js';

export interface VerifyProblem {
  /** The entry at fault, or null when none is (a published report that was never recorded, say). */
  index: number | null;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries in the log as recomputed: the index after the last one read. */
  treeSize: number;
  entriesChecked: number;
  checkpointsChecked: number;
  reportsChecked: number;
  votesChecked: number;
  categoriesChecked: number;
  /** Accounts whose role was compared with the record (none on a mirror, which has no accounts). */
  accountsChecked: number;
  /** The smallest index named by any problem, null when none names one. */
  firstBadIndex: number | null;
  /** How many problems were found in all; `problems` keeps the ones with the smallest indices. */
  problemCount: number;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  /** Entries read per query. */
  batchSize?: number;
  /** Problems kept in the result (all are counted). */
  maxProblems?: number;
}

type Trx = Transaction<Database>;

/** An entry as the walk reads it. */
interface WalkedEntry {
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
type VoteRow = Pick<Database['votes'], 'id' | 'report_id' | 'voter' | 'verdict' | 'reason' | 'ledger_index'>;
type JsonObject = { [key: string]: JsonValue };

const reportStateActions = ['report.published', 'report.edited', 'report.rejected', 'report.archived'];
const publicStateActions = new Set(['report.published', 'report.edited']);
/** Reports and categories are compared in batches this size, each with one query for the entries it needs. */
const stateBatch = 1000;
/** Entries fetched by index per query: well under both databases' limits on bound parameters. */
const lookupChunk = 500;

interface ReportMarks {
  /** The latest entry that set the report's public state, or -1. */
  state: number;
  /** Its action, one of `reportStateActions` (so the map holds no string per entry). */
  stateAction: string;
  /** The latest `vote.cast` about the report, or -1. */
  vote: number;
}

interface PendingCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  note: string;
}

/** Keeps the problems with the smallest indices (unindexed ones last) and counts them all. */
class Problems {
  private kept: VerifyProblem[] = [];
  count = 0;
  first: number | null = null;

  constructor(private readonly cap: number) {}

  add(index: number | null, message: string): void {
    this.count += 1;
    if (index !== null && (this.first === null || index < this.first)) this.first = index;
    this.kept.push({ index, message });
    // Trimming only now and then keeps adding cheap when a broken log yields a problem per entry.
    if (this.kept.length >= this.cap * 4) this.trim();
  }

  list(): VerifyProblem[] {
    this.trim();
    return this.kept;
  }

  private trim(): void {
    const rank = (problem: VerifyProblem) => problem.index ?? Number.POSITIVE_INFINITY;
    this.kept.sort((a, b) => rank(a) - rank(b));
    this.kept.length = Math.min(this.kept.length, this.cap);
  }
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

/** Column bytes as a Buffer; SQLite holds whatever type was written, so a text forged in by hand is read too. */
function bytes(value: Uint8Array | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function parseObject(content: Uint8Array | null | undefined): JsonObject | null {
  const parsed = parseContent<JsonValue>(content ?? null);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
}

/** Top-level keys whose values differ between the two, compared as canonical JSON. */
function differingKeys(expected: JsonObject, recorded: JsonObject, ignore: readonly string[] = []): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(recorded)])].sort();
  const text = (object: JsonObject, key: string) =>
    Object.hasOwn(object, key) ? canonicalJson(object[key] as JsonValue) : undefined;
  return keys.filter((key) => !ignore.includes(key) && text(expected, key) !== text(recorded, key));
}

function differs(keys: readonly string[]): string {
  return `${keys.join(', ')} in the database ${keys.length === 1 ? 'differs' : 'differ'} from the record`;
}

/** A report's category links have no order in the database, so neither side's order counts. */
function withSortedCategories(view: JsonObject): JsonObject {
  const categories = view.categories;
  return Array.isArray(categories) ? { ...view, categories: [...categories].map(String).sort() } : view;
}

/** Whether the position the map shows a report at is the location its recorded content gives. */
function samePosition(shown: StoredReport['publicPosition'], recorded: JsonValue | undefined): boolean {
  if (
    recorded === null ||
    recorded === undefined ||
    typeof recorded !== 'object' ||
    Array.isArray(recorded)
  ) {
    return shown === null;
  }
  return shown !== null && shown.lat === recorded.lat && shown.lon === recorded.lon;
}

function voteKey(reportId: string, voter: string): string {
  return `${reportId}\u0000${voter}`;
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

class Verification {
  private readonly problems: Problems;
  private readonly batchSize: number;
  private readonly tree = new MerkleAccumulator();
  /** The index the next entry should have. */
  private position = 0;
  /** Where entries go missing: the tree cannot be recomputed past it. */
  private treeBrokenAt: number | null = null;
  private checkpointsLoadedUpTo = -1;
  private pendingCheckpoints: PendingCheckpoint[] = [];
  /** Entries whose content is gone, until a later `record.redacted` names them. */
  private readonly unexplainedRedactions = new Set<number>();
  private readonly reportMarks = new Map<string, ReportMarks>();
  /** The `vote.cast` entry of each (report, voter); one vote each, never changed. */
  private readonly voteEntries = new Map<string, number>();
  private readonly categoryMarks = new Map<string, { index: number; deleted: boolean }>();
  /** Categories the record says were deleted: reports lose them without entries of their own. */
  private readonly deletedCategories = new Set<string>();
  /** Each survey's public fields, as the latest `settings.changed` entry gives them. */
  private publicFieldKeys = new Map<string, Set<string>>();
  private entriesChecked = 0;
  private checkpointsChecked = 0;
  private reportsChecked = 0;
  private votesChecked = 0;
  private categoriesChecked = 0;
  private accountsChecked = 0;
  /** The latest `role.*` entry per account pseudonym, and the role it gave. */
  private readonly roleMarks = new Map<string, { index: number; role: string | null }>();

  constructor(
    private readonly trx: Trx,
    private readonly dialect: Dialect,
    private readonly identity: Pick<LedgerIdentity, 'origin' | 'verifier'>,
    options: VerifyOptions,
    /** How the record names an account; without it (a mirror has no accounts) roles are not compared. */
    private readonly pseudonym: ((userId: string) => string) | null = null,
  ) {
    this.problems = new Problems(options.maxProblems ?? 100);
    this.batchSize = options.batchSize ?? 5000;
  }

  async run(): Promise<VerifyResult> {
    const head = await this.trx
      .selectFrom('ledger_head')
      .select(['size', 'peaks'])
      .where('id', '=', 1)
      .executeTakeFirst();
    await this.walkEntries();
    this.checkHead(head);
    for (const index of this.unexplainedRedactions) {
      this.problems.add(index, 'its content was removed, but no record.redacted entry after it names it');
    }
    await this.checkReports();
    await this.checkCategories();
    await this.checkRoles();
    return {
      ok: this.problems.count === 0,
      treeSize: this.position,
      entriesChecked: this.entriesChecked,
      checkpointsChecked: this.checkpointsChecked,
      reportsChecked: this.reportsChecked,
      votesChecked: this.votesChecked,
      categoriesChecked: this.categoriesChecked,
      accountsChecked: this.accountsChecked,
      firstBadIndex: this.problems.first,
      problemCount: this.problems.count,
      problems: this.problems.list(),
    };
  }

  // --- (a), (b), (c): the log itself ---

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
    this.collect(row);
  }

  /** Notes which entry last spoke about each report, vote and category, for the state checks after. */
  private collect(row: WalkedEntry): void {
    const { index, action, subject, content } = row;
    if (subject.startsWith('report:')) {
      const stateAction = reportStateActions.find((known) => known === action);
      if (stateAction) {
        const marks = this.marksOf(subject.slice('report:'.length));
        marks.state = index;
        marks.stateAction = stateAction;
        return;
      }
    }
    if (action === 'vote.cast') {
      // A vote's subject is its report and its actor the voter; the content, read only when the vote is
      // compared with its row, must say the same. Parsing half a million votes here would double the walk.
      const vote = subject.startsWith('report:')
        ? { report_id: subject.slice('report:'.length), voter: row.actor }
        : parseContent<VoteRecord>(content);
      if (typeof vote?.report_id !== 'string' || typeof vote.voter !== 'string') {
        this.problems.add(index, `${subject} (vote.cast): its content is not a vote`);
        return;
      }
      this.marksOf(vote.report_id).vote = index;
      this.voteEntries.set(voteKey(vote.report_id, vote.voter), index);
    } else if (subject.startsWith('category:') && action.startsWith('category.')) {
      const id = subject.slice('category:'.length);
      this.categoryMarks.set(id, { index, deleted: action === 'category.deleted' });
      if (action === 'category.deleted') this.deletedCategories.add(id);
    } else if (subject.startsWith('account:') && action.startsWith('role.')) {
      // Role changes are few: their content is read here.
      const role = parseContent<RoleRecord>(content)?.role;
      this.roleMarks.set(subject.slice('account:'.length), {
        index,
        role: typeof role === 'string' ? role : null,
      });
    } else if (action === 'settings.changed') {
      const surveys = parseContent<{ surveys?: { id: string; fields: { key: string }[] }[] }>(
        content,
      )?.surveys;
      if (Array.isArray(surveys)) {
        this.publicFieldKeys = new Map(
          surveys.map((survey) => [survey.id, new Set(survey.fields.map((field) => field.key))]),
        );
      }
    } else if (action === 'record.redacted') {
      const named = parseContent<RedactionRecord>(content)?.entries;
      if (!Array.isArray(named)) return;
      // A redaction explains only content removed before it, never a later entry's.
      for (const earlier of named) if (earlier < index) this.unexplainedRedactions.delete(earlier);
    }
  }

  private marksOf(reportId: string): ReportMarks {
    let marks = this.reportMarks.get(reportId);
    if (!marks) {
      marks = { state: -1, stateAction: '', vote: -1 };
      this.reportMarks.set(reportId, marks);
    }
    return marks;
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

  private checkHead(head: { size: number; peaks: string } | undefined): void {
    if (!head) {
      this.problems.add(null, 'the log has no head row');
      return;
    }
    if (this.treeBrokenAt !== null) return;
    const size = Number(head.size);
    if (size !== this.position) {
      this.problems.add(
        Math.min(size, this.position),
        `the log's head says it holds ${size} entries, but ${this.position} are stored`,
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

  // --- (d): the database's public state against the record ---

  private async checkReports(): Promise<void> {
    const surveys = new Map((await new SurveysRepository(this.trx).list()).map((s) => [s.id, s]));
    const reports = new ReportsRepository(
      this.trx,
      this.dialect,
      new LedgerRepository(this.trx, this.dialect),
    );
    const everything: ReportQuery = {
      statuses: null,
      verification: null,
      bbox: null,
      categoryIds: null,
      since: null,
      until: null,
      searchTerms: null,
      beforeSeq: null,
      limit: stateBatch,
    };
    for (let beforeSeq: number | null = null; ; ) {
      const batch = await reports.listStored({ ...everything, beforeSeq });
      const last = batch.at(-1);
      if (!last) break;
      await this.checkReportBatch(batch, surveys);
      if (batch.length < stateBatch) break;
      beforeSeq = last.report.seq;
    }
    // What the walk noted and no row claimed: reports and votes deleted behind Tally's back.
    for (const [id, marks] of this.reportMarks) {
      if (publicStateActions.has(marks.stateAction)) {
        this.problems.add(marks.state, `report:${id} is published on the record but its row is gone`);
      }
    }
    for (const [key, index] of this.voteEntries) {
      const [reportId, voter] = key.split('\u0000');
      this.problems.add(
        index,
        `the vote of ${voter} on report:${reportId} is on the record but not in the votes table`,
      );
    }
  }

  private async checkReportBatch(batch: StoredReport[], surveys: Map<string, Survey>): Promise<void> {
    const votes = await this.trx
      .selectFrom('votes')
      .select(['id', 'report_id', 'voter', 'verdict', 'reason', 'ledger_index'])
      .where(
        'report_id',
        'in',
        batch.map(({ report }) => report.id),
      )
      .execute();
    const wanted: number[] = [];
    const marked = batch.map((stored) => {
      const { report } = stored;
      const marks = this.reportMarks.get(report.id);
      this.reportMarks.delete(report.id);
      if (marks && report.status === 'published') {
        if (marks.state >= 0) wanted.push(marks.state);
        if (marks.vote > marks.state) wanted.push(marks.vote);
      }
      return { stored, marks };
    });
    const voted = votes.map((row) => {
      const key = voteKey(row.report_id, row.voter);
      const index = this.voteEntries.get(key);
      if (index !== undefined) {
        this.voteEntries.delete(key);
        wanted.push(index);
      }
      return { row, index };
    });
    const contents = await this.contentsAt(wanted);
    for (const { stored, marks } of marked) this.checkReport(stored, marks, contents, surveys);
    for (const { row, index } of voted) this.checkVote(row, index, contents);
  }

  private checkReport(
    { report, publicPosition }: StoredReport,
    marks: ReportMarks | undefined,
    contents: Map<number, Buffer | null>,
    surveys: Map<string, Survey>,
  ): void {
    this.reportsChecked += 1;
    const subject = `report:${report.id}`;
    const hasState = marks !== undefined && marks.state >= 0;
    const recordedStatus = marks?.stateAction.slice('report.'.length);
    const recordSaysPublic = hasState && publicStateActions.has(marks.stateAction);
    if (report.status !== 'published') {
      if (!hasState) return;
      if (recordSaysPublic) {
        this.problems.add(
          marks.state,
          `${subject} is ${report.status} in the database but the record says it is published`,
        );
      } else if (report.status !== recordedStatus) {
        this.problems.add(
          marks.state,
          `${subject} is ${report.status} in the database but the record says it was ${recordedStatus}`,
        );
      }
      return;
    }
    if (!hasState) {
      this.problems.add(null, `${subject} is published in the database but is not on the record`);
      return;
    }
    if (!recordSaysPublic) {
      this.problems.add(
        marks.state,
        `${subject} is published in the database but the record says it was ${recordedStatus}`,
      );
      return;
    }
    const recorded = parseObject(contents.get(marks.state));
    if (!recorded) {
      this.problems.add(
        marks.state,
        `${subject}: the record holds no readable content for its current state`,
      );
      return;
    }
    const expected = reportRecordContent(report, surveys.get(report.surveyId)) as JsonObject;
    if (!this.sameReportContent(expected, recorded)) {
      const differing = differingKeys(
        withSortedCategories(expected),
        this.asTheRecordHasItNow(expected, recorded),
        ['verification'],
      );
      const what = differing.length > 0 ? differs(differing) : 'content differs from the record';
      this.problems.add(marks.state, `${subject} ${what}`);
    }
    if (!samePosition(publicPosition, recorded.location)) {
      this.problems.add(marks.state, `${subject} public position in the database differs from the record`);
    }
    // Votes change the verification state without an entry of the report's own.
    const byVote = marks.vote > marks.state;
    const source = byVote ? marks.vote : marks.state;
    const says = byVote
      ? parseContent<VoteRecord>(contents.get(marks.vote) ?? null)?.verification
      : recorded.verification;
    if (report.verification !== says) {
      this.problems.add(
        source,
        `${subject} verification in the database is ${JSON.stringify(report.verification)} but the record says ${JSON.stringify(says ?? null)}`,
      );
    }
  }

  /**
   * Whether the recorded content is the report's content now, once what later entries changed for every
   * report is applied: categories deleted since (their links go with them) and survey fields the recorded
   * settings no longer show. The verification state is compared on its own (votes change it), and the order
   * the categories were given in is not kept by the database.
   */
  private sameReportContent(expected: JsonObject, recorded: JsonObject): boolean {
    return sameJson(withSortedCategories(expected), this.asTheRecordHasItNow(expected, recorded));
  }

  private asTheRecordHasItNow(expected: JsonObject, recorded: JsonObject): JsonObject {
    const categories = Array.isArray(recorded.categories)
      ? recorded.categories.filter((id) => !this.deletedCategories.has(String(id)))
      : recorded.categories;
    const publicKeys = this.publicFieldKeys.get(String(recorded.survey_id));
    const fields =
      publicKeys && recorded.fields && typeof recorded.fields === 'object' && !Array.isArray(recorded.fields)
        ? Object.fromEntries(Object.entries(recorded.fields).filter(([key]) => publicKeys.has(key)))
        : recorded.fields;
    return withSortedCategories({
      ...recorded,
      categories: categories ?? null,
      fields: fields ?? null,
      verification: expected.verification ?? null,
    });
  }

  private checkVote(row: VoteRow, index: number | undefined, contents: Map<number, Buffer | null>): void {
    this.votesChecked += 1;
    const vote = `the vote of ${row.voter} on report:${row.report_id}`;
    const pointsAt = row.ledger_index === null ? null : Number(row.ledger_index);
    if (index === undefined) {
      this.problems.add(pointsAt, `${vote} is in the votes table but not on the record`);
      return;
    }
    const recorded = parseContent<VoteRecord>(contents.get(index) ?? null);
    const fields = { report_id: row.report_id, voter: row.voter, verdict: row.verdict, reason: row.reason };
    const differing = (['report_id', 'voter', 'verdict', 'reason'] as const).filter(
      (key) => recorded?.[key] !== fields[key],
    );
    if (differing.length > 0) this.problems.add(index, `${vote}: ${differs(differing)}`);
    if (pointsAt !== null && pointsAt !== index) {
      this.problems.add(index, `${vote} points at entry ${pointsAt}, not at its own entry`);
    }
  }

  /**
   * Every account's role is the one the record last gave it: a role raised in the database behind the
   * record's back (someone making themselves admin) is exactly the power this record is there to show.
   */
  private async checkRoles(): Promise<void> {
    if (!this.pseudonym) return;
    const users = await this.trx.selectFrom('users').select(['id', 'email', 'role']).orderBy('id').execute();
    for (const user of users) {
      this.accountsChecked += 1;
      const account = this.pseudonym(user.id);
      const marks = this.roleMarks.get(account);
      if (!marks) {
        this.problems.add(
          null,
          `account:${account} has the role ${user.role} but the record never granted one`,
        );
      } else if (marks.role !== user.role) {
        this.problems.add(
          marks.index,
          `account:${account} is ${user.role} in the database but the record says ${JSON.stringify(marks.role)}`,
        );
      }
    }
  }

  private async checkCategories(): Promise<void> {
    // A taxonomy is small: a few hundred categories at most, read in one go.
    const categories = await new CategoriesRepository(
      this.trx,
      new LedgerRepository(this.trx, this.dialect),
    ).list();
    for (let start = 0; start < categories.length; start += stateBatch) {
      const batch = categories.slice(start, start + stateBatch);
      const marked = batch.map((category) => {
        const marks = this.categoryMarks.get(category.id);
        this.categoryMarks.delete(category.id);
        return { category, marks };
      });
      const contents = await this.contentsAt(marked.flatMap(({ marks }) => (marks ? [marks.index] : [])));
      for (const { category, marks } of marked) this.checkCategory(category, marks, contents);
    }
    for (const [id, marks] of this.categoryMarks) {
      if (!marks.deleted)
        this.problems.add(marks.index, `category:${id} is on the record but its row is gone`);
    }
  }

  private checkCategory(
    category: Category,
    marks: { index: number; deleted: boolean } | undefined,
    contents: Map<number, Buffer | null>,
  ): void {
    this.categoriesChecked += 1;
    const subject = `category:${category.id}`;
    if (!marks) {
      this.problems.add(null, `${subject} is in the database but not on the record`);
      return;
    }
    const recorded = parseObject(contents.get(marks.index));
    if (marks.deleted) {
      this.problems.add(marks.index, `${subject} is in the database but the record says it was deleted`);
    } else if (!recorded) {
      this.problems.add(marks.index, `${subject}: the record holds no readable content for it`);
    } else {
      const differing = differingKeys(toCategoryView(category) as unknown as JsonObject, recorded);
      if (differing.length > 0) this.problems.add(marks.index, `${subject} ${differs(differing)}`);
    }
  }

  private async contentsAt(indices: readonly number[]): Promise<Map<number, Buffer | null>> {
    const found = new Map<number, Buffer | null>();
    const unique = [...new Set(indices)];
    for (let i = 0; i < unique.length; i += lookupChunk) {
      const rows = await this.trx
        .selectFrom('ledger_entries')
        .select(['idx', 'content'])
        .where('idx', 'in', unique.slice(i, i + lookupChunk))
        .execute();
      for (const row of rows) found.set(Number(row.idx), row.content === null ? null : bytes(row.content));
    }
    return found;
  }
}

/**
 * Recomputes the whole public record from the database and checks it. Runs in one read transaction (a
 * snapshot), so a server appending meanwhile cannot make the record and the tables seem to disagree. On
 * SQLite that transaction holds the process's one connection throughout: it is meant for `tally ledger
 * verify`, a process of its own, not for a request handler.
 */
export async function verifyLedger(
  db: Db,
  parts: { identity: Pick<LedgerIdentity, 'origin' | 'verifier'>; record?: PublicRecord },
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  let transaction = db.kysely.transaction();
  if (db.dialect === 'postgres') {
    transaction = transaction.setIsolationLevel('repeatable read').setAccessMode('read only');
  }
  const record = parts.record && !parts.record.readOnly ? parts.record : null;
  const pseudonym = record ? (userId: string) => record.pseudonym(userId) : null;
  return transaction.execute((trx) =>
    new Verification(trx, db.dialect, parts.identity, options, pseudonym).run(),
  );
}

/** One problem as a line of text, e.g. `entry 17 does not match: report:… title in the database differs…`. */
export function describeProblem(problem: VerifyProblem): string {
  return problem.index === null
    ? problem.message
    : `entry ${problem.index} does not match: ${problem.message}`;
}

function counted(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The one-line verdict `tally ledger verify` ends with. */
export function summarizeVerification(result: VerifyResult): string {
  if (result.ok) {
    return (
      `The public record verifies: ${counted(result.entriesChecked, 'entry', 'entries')}, ` +
      `${counted(result.checkpointsChecked, 'signed checkpoint')}; ` +
      `${counted(result.reportsChecked, 'report')}, ${counted(result.votesChecked, 'vote')}, ` +
      `${counted(result.categoriesChecked, 'category', 'categories')} and ` +
      `${counted(result.accountsChecked, "account's role", "accounts' roles")} match it.`
    );
  }
  const first =
    result.firstBadIndex === null
      ? 'no single entry is at fault'
      : `the first bad entry is ${result.firstBadIndex}`;
  return `The public record does NOT verify: ${counted(result.problemCount, 'problem')}; ${first}.`;
}
