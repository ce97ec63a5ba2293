import type { Survey } from '../surveys/surveys.repository.js';
import type { Verdict, Vote } from '../votes/vote.js';
import type { FieldValue, PublicReportSummary, Report } from './report.js';

/** One volunteer's vote as everyone sees it: by pseudonym, so two votes are seen to be two people. */
export interface VoteView {
  voter: string;
  verdict: Verdict;
  reason: string;
  created_at: string;
}

export interface ReportView {
  id: string;
  survey_id: string;
  title: string;
  description: string;
  location: { lat: number; lon: number; accuracy_m: number | null } | null;
  location_name: string | null;
  occurred_at: string;
  received_at: string;
  updated_at: string;
  published_at: string | null;
  published_by: string | null;
  status: string;
  verification: string;
  sensitivity: string;
  author_name: string | null;
  source: string;
  revision: number;
  categories: string[];
  fields: Record<string, FieldValue>;
  /** Oldest first. */
  votes: VoteView[];
  /** Only in the staff view. */
  contact?: string | null;
  created_by?: string | null;
}

/**
 * A report's own state, without the votes cast on it: what the public record stores when a report is
 * published or edited. Votes are entries of their own, so a vote never rewrites the report's content.
 */
export type ReportStateView = Omit<ReportView, 'votes'>;

/** About 1.1 km: enough to place a report in a neighbourhood, not at a door. */
const coarseGridDegrees = 0.01;

function coarsen(value: number, limit: number): number {
  // The top edge (latitude 90, longitude 180) belongs to the cell below it, so no centre falls off the map.
  const cell = Math.min(Math.floor(value / coarseGridDegrees), Math.round(limit / coarseGridDegrees) - 1);
  return Math.round((cell + 0.5) * coarseGridDegrees * 1e6) / 1e6;
}

export function publicLocation(report: Report): ReportView['location'] {
  if (!report.location) return null;
  if (report.sensitivity === 'coarse') {
    return {
      lat: coarsen(report.location.lat, 90),
      lon: coarsen(report.location.lon, 180),
      accuracy_m: 1000,
    };
  }
  return { lat: report.location.lat, lon: report.location.lon, accuracy_m: report.location.accuracyM };
}

function publicFields(report: Report, survey: Survey | undefined): Record<string, FieldValue> {
  const privateKeys = new Set(survey?.fields.filter((f) => f.private).map((f) => f.key));
  // A field the survey no longer defines is treated as private: better hidden than leaked.
  const knownKeys = new Set(survey?.fields.map((f) => f.key));
  return Object.fromEntries(
    Object.entries(report.fields).filter(([key]) => knownKeys.has(key) && !privateKeys.has(key)),
  );
}

/**
 * The place name anyone may see: none for a coarse report, since what reporters type there ("the blue
 * house, no. 12") is finer than the neighbourhood its coarsened position shows. Volunteers see it.
 */
export function publicLocationName(sensitivity: string, name: string | null): string | null {
  return sensitivity === 'coarse' ? null : name;
}

/** What anyone may see: no contact, no private fields, coarsened location and no place name when sensitive. */
export function toPublicView(report: Report, survey: Survey | undefined): ReportStateView {
  return {
    id: report.id,
    survey_id: report.surveyId,
    title: report.title,
    description: report.description,
    location: publicLocation(report),
    location_name: publicLocationName(report.sensitivity, report.locationName),
    occurred_at: report.occurredAt,
    received_at: report.receivedAt,
    updated_at: report.updatedAt,
    published_at: report.publishedAt,
    published_by: report.publishedBy,
    status: report.status,
    verification: report.verification,
    sensitivity: report.sensitivity,
    author_name: report.authorName,
    source: report.source,
    revision: report.revision,
    categories: report.categories,
    fields: publicFields(report, survey),
  };
}

/** What volunteers and above see: everything, exact location included. */
export function toStaffView(report: Report): ReportStateView {
  return {
    ...toPublicView(report, undefined),
    location: report.location
      ? { lat: report.location.lat, lon: report.location.lon, accuracy_m: report.location.accuracyM }
      : null,
    location_name: report.locationName,
    fields: report.fields,
    contact: report.contact,
    created_by: report.createdBy,
  };
}

export function toVoteView(vote: Vote): VoteView {
  return { voter: vote.voter, verdict: vote.verdict, reason: vote.reason, created_at: vote.createdAt };
}

export function withVotes(view: ReportStateView, votes: readonly Vote[]): ReportView {
  return { ...view, votes: votes.map(toVoteView) };
}

/** A published report as open-data downloads carry it. A full `ReportView` fits this shape too. */
export interface PublicReportSummaryView {
  id: string;
  title: string;
  description: string;
  location: { lat: number; lon: number } | null;
  location_name: string | null;
  occurred_at: string;
  received_at: string;
  published_at: string | null;
  verification: string;
  author_name: string | null;
  source: string;
  categories: string[];
}

export function toSummaryView(summary: PublicReportSummary): PublicReportSummaryView {
  return {
    id: summary.id,
    title: summary.title,
    description: summary.description,
    location: summary.publicLocation,
    location_name: summary.locationName,
    occurred_at: summary.occurredAt,
    received_at: summary.receivedAt,
    published_at: summary.publishedAt,
    verification: summary.verification,
    author_name: summary.authorName,
    source: summary.source,
    categories: summary.categories,
  };
}
