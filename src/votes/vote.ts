import type { VerificationState } from '../reports/report.js';

export const verdicts = ['confirm', 'reject', 'needs_info'] as const;
export type Verdict = (typeof verdicts)[number];

/** A vote as stored: the voter is named by their pseudonym, never by their account. */
export interface Vote {
  reportId: string;
  voter: string;
  verdict: Verdict;
  reason: string;
  createdAt: string;
}

/**
 * A report's verification state from all the votes cast on it. Each account votes once per report (the
 * database holds to that), so counting votes counts distinct volunteers. Any disagreement is shown as a
 * dispute, however many confirmed: a reader should see that a volunteer doubts it, not a clean "verified".
 * `needs_info` asks for more and counts for neither side.
 */
export function verificationOf(verdictsCast: readonly Verdict[], threshold: number): VerificationState {
  const confirms = verdictsCast.filter((verdict) => verdict === 'confirm').length;
  const rejects = verdictsCast.filter((verdict) => verdict === 'reject').length;
  if (confirms > 0 && rejects > 0) return 'disputed';
  if (confirms >= threshold) return 'verified';
  return 'unverified';
}
