/**
 * What each kind of entry carries as content (canonical JSON). Mirrors rebuild the public state from these;
 * `tally ledger verify` compares that state with the database. Subjects: `report:<id>`, `category:<id>`,
 * `account:<pseudonym>`, `channel:<id>`, `deployment`.
 */
import type { ReportView } from '../reports/report-view.js';

export const recordActions = [
  /** Content: the report's public view (`ReportRecord`). */
  'report.published',
  'report.edited',
  /** Content: `ReportStatusRecord`; the report is no longer public. */
  'report.rejected',
  'report.archived',
  /** Content: `VoteRecord`, with the report's verification state after the vote. */
  'vote.cast',
  /** Content: the category's view; `category.deleted` carries `{ id }` only. */
  'category.created',
  'category.updated',
  'category.deleted',
  /** Content: `RoleRecord`. */
  'role.granted',
  'role.changed',
  /** Content: `AccountStatusRecord`; a deactivated account may no longer act at all. */
  'account.deactivated',
  'account.activated',
  /** Content: `RedactionRecord`; the entries named lose their content. */
  'record.redacted',
  /** Content: the public settings (`public-settings.ts`). */
  'settings.changed',
  /**
   * Content: `ChannelRecord`, the channel's public state after the change (`publicChannelContent`). A
   * channel's secrets and its other settings (gateways' hosts, accounts, numbers) are never recorded.
   */
  'channel.created',
  'channel.disabled',
  'channel.enabled',
  'channel.deleted',
] as const;

export type RecordAction = (typeof recordActions)[number];

/** A published report as the public sees it, without its votes (they are entries of their own). */
export type ReportRecord = Omit<ReportView, 'contact' | 'created_by' | 'votes'>;

export interface ReportStatusRecord {
  id: string;
  status: 'rejected' | 'archived';
  revision: number;
}

export interface VoteRecord {
  report_id: string;
  voter: string;
  verdict: 'confirm' | 'reject' | 'needs_info';
  reason: string;
  /** The report's verification state once this vote is counted. */
  verification: 'unverified' | 'verified' | 'disputed';
}

export interface RoleRecord {
  account: string;
  role: string;
  previous_role: string | null;
}

export interface AccountStatusRecord {
  account: string;
  active: boolean;
}

export interface ChannelRecord {
  id: string;
  kind: string;
  name: string;
  /** The language senders are answered in, the one setting that is public. */
  language: string | null;
  enabled: boolean;
  deleted: boolean;
}

export interface RedactionRecord {
  entries: number[];
  reason: string;
}

/** The content bytes as JSON, or null when they are redacted or not JSON. */
export function parseContent<T>(content: Uint8Array | null): T | null {
  if (content === null) return null;
  try {
    return JSON.parse(Buffer.from(content).toString('utf8')) as T;
  } catch {
    return null;
  }
}
