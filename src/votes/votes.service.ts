import { type Actor, requireRole } from '../accounts/roles.js';
import { TallyError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { PublicRecord } from '../ledger/public-record.js';
import type { VoteRecord } from '../ledger/record-content.js';
import type { ReportView } from '../reports/report-view.js';
import type { ReportsService } from '../reports/reports.service.js';
import { type Verdict, verificationOf } from './vote.js';
import type { VotesRepository } from './votes.repository.js';

export interface VoteInput {
  verdict: Verdict;
  reason: string;
}

/**
 * Peer verification: volunteers confirm, reject or ask for more on a report, each with a reason, and the
 * report's verification state follows from the votes. Every vote is public under the voter's pseudonym, so
 * anyone can see that a verification came from several people, and not from one admin.
 */
export class VotesService {
  constructor(
    private readonly votes: VotesRepository,
    private readonly reports: Pick<ReportsService, 'get'>,
    private readonly record: PublicRecord,
    /** Confirmations from distinct volunteers that make a report verified. */
    private readonly threshold: number,
  ) {}

  /** Casts the caller's vote; answers with the report as the caller sees it, the vote counted. */
  async cast(actor: Actor, reportId: string, input: VoteInput): Promise<ReportView> {
    const voter = requireRole(actor, 'volunteer', 'vote on reports');
    const reason = input.reason.trim();
    if (!reason) {
      throw new TallyError('validation_failed', 'reason must not be blank', [
        { field: '/reason', message: 'is blank' },
      ]);
    }
    const pseudonym = this.record.pseudonym(voter.userId);
    const time = this.record.now();
    const outcome = await this.votes.cast(
      { id: uuidv7(), reportId, voter: pseudonym, verdict: input.verdict, reason, createdAt: time },
      {
        admit: (report) => {
          // Checking one's own report is no independent check at all.
          if (report.createdBy === voter.userId) {
            throw new TallyError('vote_not_allowed', 'You may not vote on a report you submitted');
          }
          if (report.status === 'rejected' || report.status === 'archived') {
            throw new TallyError(
              'vote_not_allowed',
              `This report is ${report.status}; votes are taken on pending and published reports only`,
            );
          }
        },
        settle: (verdicts) => {
          const verification = verificationOf(verdicts, this.threshold);
          const content = {
            report_id: reportId,
            voter: pseudonym,
            verdict: input.verdict,
            reason,
            verification,
          } satisfies VoteRecord;
          return {
            verification,
            change: this.record.change('vote.cast', `report:${reportId}`, voter, content, time),
          };
        },
      },
    );
    if (outcome === 'report_not_found') throw new TallyError('report_not_found', `No report ${reportId}`);
    if (outcome === 'already_voted') {
      throw new TallyError(
        'already_voted',
        'You have already voted on this report; a vote cannot be changed',
      );
    }
    return this.reports.get(actor, reportId);
  }
}
