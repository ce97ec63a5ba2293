/**
 * `tally ledger verify`: recomputes the public record from the database and checks that it holds together
 * and that what the database shows the public is what the record says. Two halves do the work: the log's
 * own integrity (verify-log.ts) and the tables against the record (verify-state.ts). When the database can
 * be opened a second time, the log half runs in a worker thread on a connection of its own while this
 * thread compares the tables; both read a snapshot, and if the two snapshots saw different logs (a write
 * landed between them) the whole check runs again in one transaction.
 */
import type { Db } from '../db/database.js';
import type { PublicRecord } from './public-record.js';
import {
  inSnapshot,
  LogWalk,
  type LogWalkOutcome,
  type LogWalkResult,
  readHead,
  type VerifyIdentity,
  walkLogInWorker,
} from './verify-log.js';
import { Problems, type VerifyProblem } from './verify-problems.js';
import { StateCheck, type StateCounts } from './verify-state.js';

export type { VerifyProblem } from './verify-problems.js';

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
  /** Channels whose public state was compared with the record (none on a mirror, which has no channels). */
  channelsChecked: number;
  /** Whether the log was walked in a worker thread while the tables were compared (see verifyLedger). */
  parallel: boolean;
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
  /** Whether the log may be walked in a worker thread when the database can be opened twice (default yes). */
  parallel?: boolean;
}

interface Settings {
  batchSize: number;
  maxProblems: number;
  pseudonym: ((userId: string) => string) | null;
}

function result(problems: Problems, log: LogWalkResult, state: StateCounts, parallel: boolean): VerifyResult {
  return {
    ok: problems.count === 0,
    parallel,
    treeSize: log.treeSize,
    entriesChecked: log.entriesChecked,
    checkpointsChecked: log.checkpointsChecked,
    ...state,
    firstBadIndex: problems.first,
    problemCount: problems.count,
    problems: problems.list(),
  };
}

/** Both halves in one transaction on one connection, the log walk handing each entry to the state half. */
function verifyInOneSnapshot(db: Db, identity: VerifyIdentity, settings: Settings): Promise<VerifyResult> {
  return inSnapshot(db, async (trx) => {
    const problems = new Problems(settings.maxProblems);
    const state = new StateCheck(trx, db.dialect, problems, settings.pseudonym);
    const log = await new LogWalk(trx, db.dialect, identity, problems, settings.batchSize, (entry) =>
      state.note(entry),
    ).run();
    return result(problems, log, await state.run(), false);
  });
}

/** The log half in a worker; null when the two snapshots did not see the same log, or the worker failed. */
async function verifyInTwoSnapshots(
  db: Db,
  identity: VerifyIdentity,
  settings: Settings,
): Promise<VerifyResult | null> {
  if (!db.sameDatabase) return null;
  const walked: Promise<LogWalkOutcome> = walkLogInWorker({
    database: db.sameDatabase,
    identity,
    batchSize: settings.batchSize,
    maxProblems: settings.maxProblems,
  });
  const problems = new Problems(settings.maxProblems);
  const checked = await inSnapshot(db, async (trx) => {
    const head = await readHead(trx);
    const state = new StateCheck(trx, db.dialect, problems, settings.pseudonym);
    await state.noteLog(settings.batchSize);
    return { head, counts: await state.run() };
  });
  const outcome = await walked;
  if ('error' in outcome) return null;
  const { head } = outcome.result;
  if (head?.size !== checked.head?.size || head?.peaks !== checked.head?.peaks) return null;
  problems.absorb(outcome.problems);
  return result(problems, outcome.result, checked.counts, true);
}

/**
 * Recomputes the whole public record from the database and checks it, reading snapshots so that a server
 * appending meanwhile cannot make the record and the tables seem to disagree. On SQLite a snapshot holds
 * the process's one connection throughout: this is meant for `tally ledger verify`, a process of its own,
 * not for a request handler.
 */
export async function verifyLedger(
  db: Db,
  parts: { identity: VerifyIdentity; record?: PublicRecord },
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const record = parts.record && !parts.record.readOnly ? parts.record : null;
  const settings: Settings = {
    batchSize: options.batchSize ?? 5000,
    maxProblems: options.maxProblems ?? 100,
    pseudonym: record ? (userId: string) => record.pseudonym(userId) : null,
  };
  const identity = { origin: parts.identity.origin, verifier: parts.identity.verifier };
  if (options.parallel !== false) {
    const verified = await verifyInTwoSnapshots(db, identity, settings);
    if (verified) return verified;
  }
  return verifyInOneSnapshot(db, identity, settings);
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
      `${counted(result.categoriesChecked, 'category', 'categories')}, ` +
      `${counted(result.channelsChecked, 'channel')} and ` +
      `${counted(result.accountsChecked, "account's role", "accounts' roles")} match it.`
    );
  }
  const first =
    result.firstBadIndex === null
      ? 'no single entry is at fault'
      : `the first bad entry is ${result.firstBadIndex}`;
  return `The public record does NOT verify: ${counted(result.problemCount, 'problem')}; ${first}.`;
}
