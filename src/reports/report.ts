export const reportStatuses = ['pending', 'published', 'rejected', 'archived'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

export const verificationStates = ['unverified', 'verified', 'disputed'] as const;
export type VerificationState = (typeof verificationStates)[number];

export const sensitivities = ['exact', 'coarse'] as const;
export type Sensitivity = (typeof sensitivities)[number];

export const reportSources = ['web', 'api', 'sms', 'email', 'whatsapp', 'mqtt', 'import'] as const;
export type ReportSource = (typeof reportSources)[number];

export type FieldValue = string | number | boolean | string[] | null;

export interface ReportLocation {
  lat: number;
  lon: number;
  accuracyM: number | null;
}

/**
 * What open-data downloads carry: the public part of a published report only. Read with its own narrow
 * query, so private columns are never even loaded for an export.
 */
export interface PublicReportSummary {
  seq: number;
  id: string;
  title: string;
  description: string;
  /** The public position: coarsened when the report is sensitive. */
  publicLocation: { lat: number; lon: number } | null;
  locationName: string | null;
  occurredAt: string;
  receivedAt: string;
  publishedAt: string | null;
  verification: VerificationState;
  authorName: string | null;
  source: ReportSource;
  categories: string[];
}

/** A report as the domain sees it, private parts included. Views decide what leaves the server. */
export interface Report {
  seq: number;
  id: string;
  surveyId: string;
  title: string;
  description: string;
  /** Coordinates may be missing (an SMS with a place name only); the name may stand alone. */
  location: ReportLocation | null;
  locationName: string | null;
  occurredAt: string;
  receivedAt: string;
  updatedAt: string;
  publishedAt: string | null;
  /** Who made it public, by the pseudonymous id the public record uses. */
  publishedBy: string | null;
  status: ReportStatus;
  verification: VerificationState;
  sensitivity: Sensitivity;
  authorName: string | null;
  contact: string | null;
  source: ReportSource;
  revision: number;
  fields: Record<string, FieldValue>;
  createdBy: string | null;
  categories: string[];
  /** The submitting client's Idempotency-Key, if it sent one, and a hash of what it sent with it. */
  idempotency: { key: string; fingerprint: string } | null;
}
