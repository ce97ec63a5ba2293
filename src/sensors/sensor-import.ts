import type { BgeigieLine, RejectedBgeigieLine } from './decoders/bgeigie.js';
import type { Position } from './device.js';

export const importStatuses = ['processed', 'submitted', 'approved', 'rejected'] as const;
export type ImportStatus = (typeof importStatuses)[number];

/** What the owner tells reviewers and readers about a drive, as Safecast asks for it. */
export interface ImportMetadata {
  name?: string;
  description?: string;
  cities?: string;
  credits?: string;
  /** How high above the ground the device was carried, metres. */
  height?: number;
  /** How it was carried: on a car window, a backpack, a bicycle… */
  orientation?: string;
}

/** What the reviewers look at first, and what the approval rules test. */
export interface ImportSummary {
  minCpm: number | null;
  maxCpm: number | null;
  /** Share of good lines that had a GPS fix, 0…1. */
  gpsFixShare: number;
  firstCapturedAt: string | null;
  lastCapturedAt: string | null;
  /** [west, south, east, north] of the lines with a fix. */
  bbox: [number, number, number, number] | null;
}

export interface SensorImport {
  id: string;
  ownerId: string;
  deviceId: string;
  kind: 'bgeigie';
  fileName: string;
  md5: string;
  sizeBytes: number;
  status: ImportStatus;
  format: string | null;
  deadTime: boolean;
  lineCount: number;
  /** Good lines: stored, or already stored before (`duplicateCount` of them). */
  acceptedCount: number;
  duplicateCount: number;
  rejectedCount: number;
  /** The first `rejectedLinesKept` rejected lines, with their numbers and reasons. */
  rejectedLines: RejectedBgeigieLine[];
  metadata: ImportMetadata;
  summary: ImportSummary;
  createdAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

export const rejectedLinesKept = 5_000;

/** `placedAt`: a fixed device's public position, which its lines' own positions give way to. */
export function summarize(lines: readonly BgeigieLine[], placedAt?: Position | null): ImportSummary {
  let minCpm = Number.POSITIVE_INFINITY;
  let maxCpm = Number.NEGATIVE_INFINITY;
  let fixes = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let west = 180;
  let south = 90;
  let east = -180;
  let north = -90;
  for (const line of lines) {
    if (line.cpm < minCpm) minCpm = line.cpm;
    if (line.cpm > maxCpm) maxCpm = line.cpm;
    if (line.capturedAt < first) first = line.capturedAt;
    if (line.capturedAt > last) last = line.capturedAt;
    if (!line.gpsValid) continue;
    fixes += 1;
    if (line.lon < west) west = line.lon;
    if (line.lon > east) east = line.lon;
    if (line.lat < south) south = line.lat;
    if (line.lat > north) north = line.lat;
  }
  const any = lines.length > 0;
  return {
    minCpm: any ? Math.round(minCpm * 100) / 100 : null,
    maxCpm: any ? Math.round(maxCpm * 100) / 100 : null,
    gpsFixShare: any ? Math.round((fixes / lines.length) * 10_000) / 10_000 : 0,
    firstCapturedAt: any ? new Date(first).toISOString() : null,
    lastCapturedAt: any ? new Date(last).toISOString() : null,
    bbox:
      fixes === 0 || placedAt === null
        ? null
        : placedAt
          ? [placedAt.lon, placedAt.lat, placedAt.lon, placedAt.lat]
          : [west, south, east, north],
  };
}
