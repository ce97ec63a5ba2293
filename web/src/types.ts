/** Shapes of the Tally API v1 as the browser uses them. */

export type ReportStatus = 'pending' | 'published' | 'rejected' | 'archived';
export type Verification = 'unverified' | 'verified' | 'disputed';
export type Id = string | number;

export interface Location {
  lat: number;
  lon: number;
  name?: string | null;
  accuracy_m?: number | null;
}

export interface Report {
  id: Id;
  title: string;
  description?: string | null;
  occurred_at?: string | null;
  received_at?: string | null;
  categories?: Id[];
  location?: Location | null;
  /** Some views flatten the location; `reportLocation()` reads either form. */
  lat?: number | null;
  lon?: number | null;
  location_name?: string | null;
  author_name?: string | null;
  /** Only volunteers and up see it. */
  contact?: string | null;
  /** The account that submitted it, when a signed-in user did; only volunteers and up see it. */
  created_by?: string | null;
  status?: ReportStatus;
  verification?: Verification;
  /** Pseudonym of whoever published it, as the public record names them. */
  published_by?: string | null;
  votes?: Vote[];
  sensitivity?: 'exact' | 'coarse';
  revision?: number;
  updated_at?: string;
  published_at?: string | null;
  source?: string;
  url?: string;
}

export type Verdict = 'confirm' | 'reject' | 'needs_info';

/** One volunteer's check of a report; `voter` is their pseudonym on the public record. */
export interface Vote {
  voter: string;
  verdict: Verdict;
  reason: string;
  created_at: string;
}

/** One entry of the public record (`GET /api/v1/ledger/entries`, a report's history). */
export interface LedgerEntry {
  index: number;
  time: string;
  action: string;
  subject: string;
  actor: string;
  /** Base64 of the exact leaf bytes. */
  leaf: string;
  /** Base64 of the content bytes (canonical JSON), or null once redacted. */
  content: string | null;
  redacted: boolean;
}

export interface LedgerKey {
  origin: string;
  algorithm: string;
  key_name: string;
  key_id: string;
  public_key: string;
  verifier_key: string;
}

/** Set when this deployment is a read-only mirror of another one. */
export interface MirrorOf {
  origin: string;
  url: string;
  synced_at: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Category {
  id: Id;
  parent_id: Id | null;
  name: string;
  description?: string | null;
  color?: string | null;
  position?: number;
}

export interface License {
  id: string;
  name: string;
  url: string;
}

export interface SiteConfig {
  name: string;
  license: License;
  basemap: { tile_url: string | null; attribution: string | null };
  default_center: { lat: number; lon: number };
  default_zoom: number;
  /** Whether one may publish or reject one's own report and approve or reject one's own drive log. */
  self_review_allowed?: boolean;
  mirror_of?: MirrorOf | null;
}

export interface Place {
  name: string;
  country: string;
  lat: number;
  lon: number;
  population?: number;
}

export interface User {
  id: Id;
  email: string;
  display_name: string | null;
  role: string;
}

/** A report's place as { lat, lon, name }, or null when it has no coordinates. */
export function reportLocation(report: Report): { lat: number; lon: number; name: string } | null {
  const name = report.location?.name ?? report.location_name ?? '';
  const lat = report.location?.lat ?? report.lat;
  const lon = report.location?.lon ?? report.lon;
  if (typeof lat !== 'number' || typeof lon !== 'number') return null;
  return { lat, lon, name };
}

export function placeName(report: Report): string {
  return report.location?.name ?? report.location_name ?? '';
}
