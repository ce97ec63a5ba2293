/** Texts shared by several pages, in one place for translation. */
import type { Verdict, Verification } from '../types';

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
    'record.redacted': 'Content redacted',
    'settings.changed': 'Settings changed',
  } as Record<string, string>,
  mirrorOf: (origin: string) => `Mirror of ${origin}`,
  mirrorSynced: (when: string) => `last synced ${when}.`,
  mirrorNeverSynced: 'not synced yet.',
  mirrorReadOnly: 'This copy is read-only: reports and checks are made on the original.',
} as const;

export function verificationLabel(value: string | null | undefined): string {
  return shared.verification[(value as Verification) ?? 'unverified'] ?? shared.verification.unverified;
}

export function actionLabel(action: string): string {
  return shared.actions[action] ?? action;
}
