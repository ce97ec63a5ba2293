/**
 * The one catalog of errors Tally answers with. Every error a client can see has a stable `code`,
 * an HTTP status and a human title; `docs/errors.md` lists them and a test keeps the two in step.
 * Responses are RFC 9457 problem+json: `type`, `title`, `status`, `detail`, `code` (+ `errors` for validation).
 */
export const errorCatalog = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  invalid_encoding: { status: 400, title: 'The request is not valid UTF-8' },
  invalid_cursor: { status: 400, title: 'The cursor is not one this server issued' },
  unknown_category: { status: 422, title: 'A category does not exist' },
  unknown_survey: { status: 422, title: 'The survey does not exist' },
  category_cycle: { status: 422, title: 'A category cannot be its own ancestor' },
  unauthenticated: { status: 401, title: 'Sign in first' },
  invalid_credentials: { status: 401, title: 'The e-mail or password is wrong' },
  wrong_password: { status: 403, title: 'The current password is wrong' },
  token_cannot_mint: { status: 403, title: 'An API token cannot create tokens' },
  token_not_found: { status: 404, title: 'No such token' },
  forbidden: { status: 403, title: 'Your role does not allow this' },
  not_found: { status: 404, title: 'Nothing here' },
  report_not_found: { status: 404, title: 'No such report' },
  category_not_found: { status: 404, title: 'No such category' },
  user_exists: { status: 409, title: 'A user with that e-mail already exists' },
  category_exists: { status: 409, title: 'A category with that name already exists under the same parent' },
  category_in_use: { status: 409, title: 'The category still has subcategories' },
  revision_conflict: { status: 409, title: 'The report changed since you loaded it' },
  idempotency_key_reused: {
    status: 422,
    title: 'That Idempotency-Key was already used for a different request',
  },
  ledger_out_of_range: { status: 400, title: 'That entry or tree size is not in the public record' },
  vote_not_allowed: { status: 403, title: 'You may not vote on this report' },
  already_voted: { status: 409, title: 'You have already voted on this report' },
  own_work_review: { status: 403, title: 'You may not review your own work' },
  redaction_not_allowed: { status: 409, title: 'That entry cannot be redacted' },
  read_only_mirror: { status: 403, title: 'This deployment is a read-only mirror' },
  cross_site_request: { status: 403, title: 'The request came from another site' },
  channel_not_found: { status: 404, title: 'No such channel' },
  channel_exists: { status: 409, title: 'A channel with that id already exists' },
  channel_disabled: { status: 403, title: 'The channel is switched off' },
  channel_deleted: { status: 410, title: 'The channel was deleted' },
  message_not_found: { status: 404, title: 'No such message' },
  message_already_linked: { status: 409, title: 'The message already belongs to a report' },
  malformed_message: { status: 400, title: 'The gateway sent a message Tally cannot read' },
  invalid_signature: {
    status: 403,
    title: 'The request is not signed by the channel it claims to come from',
  },
  device_not_found: { status: 404, title: 'No such device' },
  invalid_device_token: { status: 401, title: 'The device token is missing or wrong' },
  unknown_device: { status: 422, title: 'No registered device matches the sender' },
  malformed_readings: { status: 400, title: 'The readings are not in a format Tally can read' },
  reading_out_of_range: { status: 422, title: 'A reading is outside what its sensor can measure' },
  reading_in_future: { status: 422, title: 'A reading is timed in the future' },
  too_many_readings: { status: 413, title: 'Too many readings in one batch' },
  import_not_found: { status: 404, title: 'No such import' },
  import_state_conflict: { status: 409, title: 'The import is not in a state that allows this' },
  duplicate_import: { status: 409, title: 'That log file was already imported' },
  empty_import: { status: 422, title: 'The file holds no readings Tally can read' },
  feed_not_found: { status: 404, title: 'No such sensor feed' },
  feed_host_not_allowed: { status: 422, title: 'Feeds may not read a broker on that host' },
  outbound_target_refused: { status: 422, title: 'Tally does not connect to that host' },
  body_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'That content type is not accepted here' },
  rate_limited: { status: 429, title: 'Too many requests; slow down' },
  internal: { status: 500, title: 'Something went wrong on our side' },
  service_unavailable: { status: 503, title: 'The service is not available right now' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface FieldError {
  /** JSON-pointer-like path of the bad value, e.g. `/location/lat` or `query/bbox`. */
  field: string;
  message: string;
}

export class TallyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;

  constructor(code: ErrorCode, detail?: string, errors?: FieldError[]) {
    super(detail ?? errorCatalog[code].title);
    this.name = 'TallyError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.errors = errors;
  }
}

export function validationError(field: string, message: string): TallyError {
  return new TallyError('validation_failed', `${field}: ${message}`, [{ field, message }]);
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
}

export function problemOf(error: TallyError, requestId?: string): Problem {
  const problem: Problem = {
    type: `urn:tally:problem:${error.code}`,
    title: errorCatalog[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (requestId) problem.request_id = requestId;
  if (error.errors) problem.errors = error.errors;
  return problem;
}
