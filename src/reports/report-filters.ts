import type { BoundingBox } from '../db/dialect-sql.js';
import { searchTerms } from '../db/dialect-sql.js';
import { TallyError, validationError } from '../errors.js';
import { type ReportStatus, reportStatuses, type VerificationState, verificationStates } from './report.js';

/** The list and export filters as they arrive in a query string. */
export interface ReportFilterParams {
  bbox?: string;
  category?: string;
  status?: string;
  verification?: string;
  since?: string;
  until?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface ParsedFilters {
  bbox: BoundingBox | null;
  categoryIds: string[] | null;
  status: ReportStatus | null;
  verification: VerificationState | null;
  since: string | null;
  until: string | null;
  searchTerms: string[] | null;
}

export function parseBbox(raw: string, field = 'query/bbox'): BoundingBox {
  const parts = raw.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 4 || parts.some((part) => part === '') || numbers.some((n) => !Number.isFinite(n))) {
    throw validationError(field, 'must be four numbers: west,south,east,north');
  }
  const [west, south, east, north] = numbers as [number, number, number, number];
  if (west < -180 || west > 180 || east < -180 || east > 180) {
    throw validationError(field, 'west and east must be longitudes between -180 and 180');
  }
  if (south < -90 || south > 90 || north < -90 || north > 90) {
    throw validationError(field, 'south and north must be latitudes between -90 and 90');
  }
  if (south > north) throw validationError(field, 'south must not be greater than north');
  return { west, south, east, north };
}

/**
 * An RFC 3339 date-time with a zone, or a bare date (UTC). A bare date starts its day, or with
 * `wholeDay` ends it, so `since=2026-11-25&until=2026-11-25` means all of the 25th.
 */
export function parseTime(raw: string, field: string, wholeDay = false): string {
  const pattern = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2}))?$/;
  const date = new Date(raw);
  // V8 rolls 30 February over into March; a day the month does not have is refused instead.
  const [year = 0, month = 0, day = 0] = raw.slice(0, 10).split('-').map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!pattern.test(raw) || Number.isNaN(date.getTime()) || day > daysInMonth) {
    throw validationError(field, 'must be an RFC 3339 date-time such as 2026-11-25T14:30:00Z, or a date');
  }
  if (wholeDay && raw.length === 10) return new Date(date.getTime() + 86_400_000 - 1).toISOString();
  return date.toISOString();
}

export function parseFilters(params: ReportFilterParams): ParsedFilters {
  let status: ReportStatus | null = null;
  if (params.status !== undefined) {
    if (!(reportStatuses as readonly string[]).includes(params.status)) {
      throw validationError('query/status', `must be one of ${reportStatuses.join(', ')}`);
    }
    status = params.status as ReportStatus;
  }
  let verification: VerificationState | null = null;
  if (params.verification !== undefined) {
    if (!(verificationStates as readonly string[]).includes(params.verification)) {
      throw validationError('query/verification', `must be one of ${verificationStates.join(', ')}`);
    }
    verification = params.verification as VerificationState;
  }
  const categoryIds = params.category
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (params.category !== undefined && categoryIds?.length === 0) {
    throw validationError('query/category', 'must name at least one category id');
  }
  const since = params.since === undefined ? null : parseTime(params.since, 'query/since');
  const until = params.until === undefined ? null : parseTime(params.until, 'query/until', true);
  if (since && until && since > until) throw validationError('query/until', 'must not be before since');
  let terms: string[] | null = null;
  if (params.q !== undefined) {
    terms = searchTerms(params.q);
    if (terms.length === 0) throw validationError('query/q', 'must contain at least one letter or digit');
  }
  return {
    bbox: params.bbox === undefined ? null : parseBbox(params.bbox),
    categoryIds: categoryIds ?? null,
    status,
    verification,
    since,
    until,
    searchTerms: terms,
  };
}

export function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof decoded.s === 'number' && Number.isSafeInteger(decoded.s) && decoded.s > 0) return decoded.s;
  } catch {
    // fall through to the error below
  }
  throw new TallyError('invalid_cursor', 'Use the next_cursor value from a previous page, unchanged', [
    { field: 'query/cursor', message: 'not a cursor this server issued' },
  ]);
}
