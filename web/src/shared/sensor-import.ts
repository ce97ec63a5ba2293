/** A drive-log import as the API gives it (`/api/v1/sensors/imports`), for its owner and its reviewers. */

export type ImportStatus = 'processed' | 'submitted' | 'approved' | 'rejected';

/** What the owner says about the drive when submitting it, in Safecast's terms. */
export interface ImportMetadata {
  name?: string;
  description?: string;
  cities?: string;
  credits?: string;
  /** Metres above the ground. */
  height?: number;
  orientation?: string;
}

export interface RejectedLine {
  line: number;
  reason: string;
  text: string;
}

export interface SensorImport {
  id: string;
  device_id: string;
  kind: string;
  file_name: string;
  md5: string;
  size_bytes: number;
  status: ImportStatus;
  format: string | null;
  dead_time: boolean;
  lines: number;
  /** Good lines, stored now or before (`duplicates` of them before). */
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first rejected lines; `rejected` counts them all. */
  rejected_lines: RejectedLine[];
  metadata: ImportMetadata;
  summary: {
    min_cpm: number | null;
    max_cpm: number | null;
    gps_fix_share: number;
    first_captured_at: string | null;
    last_captured_at: string | null;
    bbox: number[] | null;
  };
  created_at: string;
  submitted_at: string | null;
  decided_at: string | null;
  auto_approved: boolean;
  decision_reason: string | null;
}

export function importUrl(id: string, action?: 'submit' | 'approve' | 'reject' | 'track'): string {
  const path = `/api/v1/sensors/imports/${encodeURIComponent(id)}`;
  return action ? `${path}/${action}` : path;
}

/** The name a person gave the drive, else its file's name. */
export function importTitle(item: SensorImport): string {
  return item.metadata.name?.trim() || item.file_name;
}
