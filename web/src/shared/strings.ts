/** Texts shared by several pages, in one place for translation. */

import type { Verdict, Verification } from '../types';
import type { ImportStatus } from './sensor-import';

export const shared = {
  verification: {
    verified: 'Verified',
    unverified: 'Unverified',
    disputed: 'Disputed',
  } satisfies Record<Verification, string>,
  /** One line saying what each state means. */
  verificationMeaning: {
    verified: 'Confirmed by several independent volunteers.',
    unverified: 'Not yet confirmed by enough volunteers.',
    disputed: 'Volunteers disagree about this report.',
  } satisfies Record<Verification, string>,
  verdict: {
    confirm: 'Confirmed',
    reject: 'Rejected',
    needs_info: 'Needs more information',
  } satisfies Record<Verdict, string>,
  /** The actions of the public record, in words. */
  actions: {
    'report.published': 'Published',
    'report.edited': 'Edited',
    'report.rejected': 'Rejected',
    'report.archived': 'Archived',
    'vote.cast': 'Checked by a volunteer',
    'category.created': 'Category created',
    'category.updated': 'Category changed',
    'category.deleted': 'Category deleted',
    'role.granted': 'Role granted',
    'role.changed': 'Role changed',
    'account.deactivated': 'Account deactivated',
    'account.activated': 'Account reactivated',
    'record.redacted': 'Content redacted',
    'settings.changed': 'Settings changed',
  } as Record<string, string>,
  mirrorOf: (origin: string) => `Mirror of ${origin}`,
  mirrorSynced: (when: string) => `last synced ${when}.`,
  mirrorNeverSynced: 'not synced yet.',
  mirrorReadOnly: 'This copy is read-only: reports and checks are made on the original.',
  errors: {
    network: 'The server could not be reached. Check your connection and try again.',
    unknown: 'Something went wrong.',
  },
  /** Signing in, on the pages that need an account. */
  session: {
    checking: 'Checking your session…',
    email: 'E-mail',
    password: 'Password',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    signOut: 'Sign out',
    signedInAs: (name: string, role: string) => `Signed in as ${name} (${role})`,
    badLogin: 'The e-mail or password is not right.',
    sessionExpired: 'Your session has ended. Please sign in again.',
    retry: 'Try again',
  },
  /** A drive log as its owner and the volunteers who review it see it. */
  driveLog: {
    status: {
      processed: 'Not submitted yet',
      submitted: 'Waiting for review',
      approved: 'Approved',
      rejected: 'Rejected',
    } satisfies Record<ImportStatus, string>,
    countsHeading: 'Lines',
    lines: 'Lines in the file',
    accepted: 'Good readings',
    duplicates: 'Already stored',
    rejected: 'Rejected lines',
    summaryHeading: 'The drive',
    timeSpan: 'Time',
    cpmRange: 'Counts per minute',
    cpm: (min: number, max: number) => (min === max ? `${min} CPM` : `${min}–${max} CPM`),
    doseRate: (min: string, max: string) => (min === max ? `${min} µSv/h` : `${min}–${max} µSv/h`),
    gpsFix: 'Readings with a GPS fix',
    percent: (share: number) => `${Math.round(share * 100)} %`,
    duration: (minutes: number) =>
      minutes < 1 ? 'under a minute' : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`,
    none: '—',
    rejectedCaption: 'Lines left out, and why',
    rejectedShown: (shown: number, total: number) => `The first ${shown} of ${total} rejected lines.`,
    lineNumber: 'Line',
    reason: 'Reason',
    text: 'Text',
  },
} as const;

export function verificationLabel(value: string | null | undefined): string {
  return shared.verification[(value as Verification) ?? 'unverified'] ?? shared.verification.unverified;
}

export function actionLabel(action: string): string {
  return shared.actions[action] ?? action;
}
