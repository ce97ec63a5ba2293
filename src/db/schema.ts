import type { Generated } from 'kysely';

/**
 * Row shapes as stored. Times are RFC 3339 UTC strings with milliseconds (`2026-11-25T19:40:00.000Z`)
 * in both databases, so they sort as text and the repositories stay dialect-free. JSON columns are text.
 * Booleans are 0/1 integers for the same reason.
 */
export interface UsersTable {
  id: string;
  email: string;
  display_name: string | null;
  role: string;
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
}

export interface AuthTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  kind: string;
  name: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface SurveysTable {
  id: string;
  name: string;
  description: string;
  auto_publish: number;
  fields: string;
  created_at: string;
  updated_at: string;
}

export interface CategoriesTable {
  id: string;
  parent_id: string | null;
  name: string;
  description: string;
  color: string | null;
  position: number;
  translations: string;
  created_at: string;
  updated_at: string;
}

export interface ReportsTable {
  seq: Generated<number>;
  id: string;
  survey_id: string;
  title: string;
  description: string;
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
  public_lat: number | null;
  public_lon: number | null;
  location_name: string | null;
  occurred_at: string;
  received_at: string;
  updated_at: string;
  published_at: string | null;
  status: string;
  verification: string;
  sensitivity: string;
  author_name: string | null;
  contact: string | null;
  source: string;
  revision: number;
  fields: string;
  created_by: string | null;
  idempotency_key: string | null;
  idempotency_fingerprint: string | null;
  published_by: string | null;
}

export interface ReportCategoriesTable {
  report_id: string;
  category_id: string;
}

export interface ReportRevisionsTable {
  report_id: string;
  revision: number;
  snapshot: string;
  actor_id: string | null;
  created_at: string;
}

export interface LedgerEntriesTable {
  idx: number;
  time: string;
  action: string;
  subject: string;
  actor: string;
  leaf: Uint8Array;
  content: Uint8Array | null;
  redacted: number;
  tree_nodes: Uint8Array;
}

export interface LedgerHeadTable {
  id: number;
  origin: string | null;
  size: number;
  peaks: string;
}

export interface LedgerCheckpointsTable {
  tree_size: number;
  root_hash: Uint8Array;
  note: string;
  created_at: string;
}

export interface VotesTable {
  id: string;
  report_id: string;
  voter: string;
  verdict: string;
  reason: string;
  created_at: string;
  ledger_index: number | null;
}

export interface MirrorSourceTable {
  id: number;
  url: string;
  origin: string;
  verifier_key: string;
  synced_at: string | null;
  last_error: string | null;
}

export interface ChannelsTable {
  id: string;
  kind: string;
  name: string;
  settings: string;
  secrets: string;
  enabled: number;
  refused_requests: number;
  created_at: string;
  updated_at: string;
  /** Set when the channel was deleted; the row stays for its messages, without secrets. */
  deleted_at: string | null;
}

export interface ContactsTable {
  id: string;
  kind: string;
  lookup: string;
  sealed: string | null;
  country: string | null;
  language: string | null;
  trust: string;
  forgotten_at: string | null;
  created_at: string;
}

export interface MessagesTable {
  seq: Generated<number>;
  id: string;
  channel_id: string;
  direction: string;
  provider_id: string | null;
  contact_id: string | null;
  text: string;
  media: string;
  raw: string | null;
  status: string;
  status_detail: string | null;
  report_id: string | null;
  in_reply_to: string | null;
  sent_at: string | null;
  received_at: string;
  updated_at: string;
  attempts: number;
  next_attempt_at: string | null;
}

export interface CategoryKeywordsTable {
  keyword: string;
  category_id: string;
}

export interface LocalPlacesTable {
  id: string;
  name: string;
  key: string;
  lat: number;
  lon: number;
  created_at: string;
}

export interface DevicesTable {
  id: string;
  owner_id: string;
  name: string;
  model: string;
  sensor: string;
  quantity: string;
  cpm_per_unit: number | null;
  mobility: string;
  lat: number | null;
  lon: number | null;
  public_lat: number | null;
  public_lon: number | null;
  location_precision: string;
  network: string | null;
  external_id: string | null;
  hardware_id: string | null;
  serial: string | null;
  payload_format: string | null;
  token_hash: string;
  created_at: string;
  updated_at: string;
  last_reading_at: string | null;
}

export interface SensorImportsTable {
  id: string;
  owner_id: string;
  device_id: string;
  kind: string;
  file_name: string;
  md5: string;
  size_bytes: number;
  status: string;
  format: string | null;
  dead_time: number;
  line_count: number;
  accepted_count: number;
  duplicate_count: number;
  rejected_count: number;
  rejected_lines: string;
  metadata: string;
  summary: string;
  created_at: string;
  submitted_at: string | null;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
}

/** Times in integer milliseconds: this table grows to tens of millions of rows. */
export interface ReadingsTable {
  id: Generated<number>;
  device_id: string;
  quantity: string;
  captured_ms: number;
  value: number;
  cpm: number | null;
  lat: number | null;
  lon: number | null;
  altitude: number | null;
  flags: number;
  public: number;
  import_id: string | null;
  line: number | null;
  received_ms: number;
}

export interface ReadingCellsTable {
  quantity: string;
  resolution: number;
  cell: string;
  lat: number;
  lon: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  latest_ms: number;
  latest_value: number;
}

export interface ReadingCellDaysTable {
  quantity: string;
  resolution: number;
  cell: string;
  day: number;
  count: number;
  sum: number;
  max: number;
}

export interface ReadingCellSourcesTable {
  quantity: string;
  resolution: number;
  cell: string;
  device_id: string;
  import_id: string;
  count: number;
  latest_ms: number;
}

export interface SensorFeedsTable {
  id: string;
  owner_id: string;
  kind: string;
  url: string;
  topic: string;
  username: string | null;
  password: string | null;
  enabled: number;
  last_message_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** Work a migration leaves for the next start, done once and then deleted (`rebuild-reading-cells`). */
export interface MaintenanceTasksTable {
  name: string;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  auth_tokens: AuthTokensTable;
  surveys: SurveysTable;
  categories: CategoriesTable;
  reports: ReportsTable;
  report_categories: ReportCategoriesTable;
  report_revisions: ReportRevisionsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_head: LedgerHeadTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  votes: VotesTable;
  mirror_source: MirrorSourceTable;
  channels: ChannelsTable;
  contacts: ContactsTable;
  messages: MessagesTable;
  category_keywords: CategoryKeywordsTable;
  local_places: LocalPlacesTable;
  devices: DevicesTable;
  sensor_imports: SensorImportsTable;
  readings: ReadingsTable;
  reading_cells: ReadingCellsTable;
  reading_cell_days: ReadingCellDaysTable;
  reading_cell_sources: ReadingCellSourcesTable;
  sensor_feeds: SensorFeedsTable;
  maintenance_tasks: MaintenanceTasksTable;
}
