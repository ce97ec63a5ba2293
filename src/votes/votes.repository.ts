import type { Kysely } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import type { ReportStatus, VerificationState } from '../reports/report.js';
import type { Verdict, Vote } from './vote.js';

export interface NewVote extends Vote {
  id: string;
}

/** What the rules need to know about the report being voted on, read under its lock. */
export interface VoteTarget {
  status: ReportStatus;
  createdBy: string | null;
}

export interface VoteRules {
  /** Throws when this vote may not be cast on the report; the transaction is then rolled back. */
  admit(target: VoteTarget): void;
  /** The report's state once every vote stored, this one included, is counted, and its record entry. */
  settle(verdicts: Verdict[]): { verification: VerificationState; change: LedgerChange };
}

export type CastOutcome = 'cast' | 'report_not_found' | 'already_voted';

export class VotesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** Each vote is a public change, recorded in the same transaction as the vote. */
    private readonly ledger: LedgerRepository,
  ) {}

  /**
   * Stores a vote, the report's new verification state and the vote's entry on the public record, all or
   * nothing. The report's row is locked first (PostgreSQL; SQLite runs one writer at a time anyway), so two
   * concurrent votes on a report are counted one after the other and neither misses the other.
   */
  async cast(vote: NewVote, rules: VoteRules): Promise<CastOutcome> {
    return this.db.transaction().execute(async (trx) => {
      let locking = trx
        .selectFrom('reports')
        .select(['status', 'created_by'])
        .where('id', '=', vote.reportId);
      if (this.dialect === 'postgres') locking = locking.forUpdate();
      const report = await locking.executeTakeFirst();
      if (!report) return 'report_not_found';
      rules.admit({ status: report.status as ReportStatus, createdBy: report.created_by });
      // The unique (report, voter) constraint is what refuses a second vote, a racing one included: on
      // PostgreSQL a concurrent insert of the same pair waits for the first to commit, then does nothing.
      const inserted = await trx
        .insertInto('votes')
        .values({
          id: vote.id,
          report_id: vote.reportId,
          voter: vote.voter,
          verdict: vote.verdict,
          reason: vote.reason,
          created_at: vote.createdAt,
          ledger_index: null,
        })
        .onConflict((conflict) => conflict.columns(['report_id', 'voter']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return 'already_voted';
      const stored = await trx
        .selectFrom('votes')
        .select('verdict')
        .where('report_id', '=', vote.reportId)
        .execute();
      const { verification, change } = rules.settle(stored.map((row) => row.verdict as Verdict));
      const [ledgerIndex] = await this.ledger.append(trx, [change]);
      await trx
        .updateTable('votes')
        .set({ ledger_index: ledgerIndex ?? null })
        .where('id', '=', vote.id)
        .execute();
      // A vote is not an edit: the report's content did not change, so neither do its revision and updated_at.
      await trx.updateTable('reports').set({ verification }).where('id', '=', vote.reportId).execute();
      return 'cast';
    });
  }
}
