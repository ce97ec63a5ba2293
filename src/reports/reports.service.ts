import { createHash } from 'node:crypto';
import type { Static } from 'typebox';
import { refuseOwnWork } from '../accounts/four-eyes.js';
import { type Actor, anonymous, hasRole, requireRole } from '../accounts/roles.js';
import type { CategoriesService } from '../categories/categories.service.js';
import type { Clock } from '../clock.js';
import { type FieldError, TallyError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { JsonValue } from '../ledger/canonical-json.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { PublicRecord, RecordActor } from '../ledger/public-record.js';
import { SurveyCache } from '../surveys/survey-cache.js';
import type { FieldType, Survey, SurveyField, SurveysRepository } from '../surveys/surveys.repository.js';
import type { Vote } from '../votes/vote.js';
import type { FieldValue, Report, ReportSource, ReportStatus } from './report.js';
import { decodeCursor, encodeCursor, parseFilters, type ReportFilterParams } from './report-filters.js';
import {
  type PublicReportSummaryView,
  type ReportView,
  toPublicView,
  toStaffView,
  toSummaryView,
  withVotes,
} from './report-view.js';
import type { ReportQuery, ReportsRepository } from './reports.repository.js';
import type { NewReportBody, ReportPatchBody } from './reports.schemas.js';

/** What a client sends to submit or edit a report: the request schemas' own types, so the two never drift. */
export type NewReportInput = Static<typeof NewReportBody>;
export type ReportPatch = Static<typeof ReportPatchBody>;

export interface ReportPage {
  items: ReportView[];
  next_cursor: string | null;
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function occurredAt(raw: string | undefined, fallback: string, clock: Clock): string {
  if (raw === undefined) return fallback;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) {
    throw new TallyError('validation_failed', 'occurred_at is not a date-time', [
      { field: '/occurred_at', message: 'must be an RFC 3339 date-time' },
    ]);
  }
  // A clock a little fast on the reporter's phone is normal; a report from next week is not.
  if (date.getTime() > clock.now().getTime() + 24 * 60 * 60 * 1000) {
    throw new TallyError('validation_failed', 'occurred_at is in the future', [
      { field: '/occurred_at', message: 'must not be in the future' },
    ]);
  }
  return date.toISOString();
}

const isText = (value: FieldValue) => typeof value === 'string';

/** Whether a value fits a survey field of each type. */
const fieldValueIsValid: Record<FieldType, (value: FieldValue, field: SurveyField) => boolean> = {
  text: isText,
  long_text: isText,
  datetime: isText,
  number: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
  select: (value, field) => typeof value === 'string' && (field.options?.includes(value) ?? false),
  multi_select: (value, field) => Array.isArray(value) && value.every((v) => field.options?.includes(v)),
};

function checkFields(survey: Survey, fields: Record<string, FieldValue>): void {
  const errors: FieldError[] = [];
  for (const key of Object.keys(fields)) {
    if (!survey.fields.some((f) => f.key === key)) {
      errors.push({ field: `/fields/${key}`, message: `the survey "${survey.name}" has no such field` });
    }
  }
  for (const field of survey.fields) {
    const value = fields[field.key];
    if (value === undefined || value === null || value === '') {
      if (field.required) errors.push({ field: `/fields/${field.key}`, message: 'is required' });
      continue;
    }
    const ok = fieldValueIsValid[field.type](value, field);
    if (!ok) errors.push({ field: `/fields/${field.key}`, message: `is not a valid ${field.type} value` });
  }
  if (errors.length > 0)
    throw new TallyError('validation_failed', 'Some survey fields are not valid', errors);
}

/** A report's public state as the record stores it: exactly its public view, without the votes. */
export function reportRecordContent(report: Report, survey: Survey | undefined): JsonValue {
  return toPublicView(report, survey) as unknown as JsonValue;
}

export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly surveys: Pick<SurveysRepository, 'findById'>,
    private readonly categories: CategoriesService,
    private readonly record: PublicRecord,
    private readonly clock: Clock,
    /** Whether one may publish or reject a report one submitted (a one-person deployment). */
    private readonly allowSelfReview = false,
  ) {
    this.surveysForSubmission = new SurveyCache(surveys);
  }

  /**
   * Submission is the hot path and only needs a survey's fields and publishing rule, where a few seconds
   * of staleness is harmless. Views read surveys fresh: a field made private must vanish at once.
   */
  private readonly surveysForSubmission: SurveyCache;

  /**
   * Stores a new report. With an idempotency key (a retry from a phone that never saw the answer), a
   * report already made with that key is returned instead of a copy; `replayed` says which happened.
   */
  async create(
    actor: Actor,
    input: NewReportInput,
    source: ReportSource,
    idempotencyKey: string | null = null,
  ): Promise<ReportView & { replayed?: true }> {
    const idempotency = idempotencyKey
      ? { key: idempotencyKey, fingerprint: createHash('sha256').update(JSON.stringify(input)).digest('hex') }
      : null;
    if (idempotency) {
      const earlier = await this.replay(actor, idempotency);
      if (earlier) return earlier;
    }
    const surveyId = input.survey_id ?? 'default';
    const survey = await this.surveysForSubmission.findById(surveyId);
    if (!survey) {
      throw new TallyError('unknown_survey', `No survey ${surveyId}`, [
        { field: '/survey_id', message: 'no such survey' },
      ]);
    }
    const categories = [...new Set(input.categories ?? [])];
    await this.categories.assertExist(categories, '/categories');
    const fields = input.fields ?? {};
    checkFields(survey, fields);
    const now = this.clock.now().toISOString();
    const status: ReportStatus = survey.autoPublish ? 'published' : 'pending';
    const report: Omit<Report, 'seq'> = {
      id: uuidv7(),
      surveyId,
      title: input.title.trim(),
      description: input.description?.trim() ?? '',
      location: input.location
        ? { lat: input.location.lat, lon: input.location.lon, accuracyM: input.location.accuracy_m ?? null }
        : null,
      locationName: blankToNull(input.location?.name) ?? blankToNull(input.location_name),
      occurredAt: occurredAt(input.occurred_at, now, this.clock),
      receivedAt: now,
      updatedAt: now,
      publishedAt: status === 'published' ? now : null,
      publishedBy: status === 'published' ? this.record.actorId('rule:auto-publish') : null,
      status,
      verification: 'unverified',
      sensitivity: input.sensitivity ?? 'exact',
      authorName: blankToNull(input.author_name),
      contact: blankToNull(input.contact),
      source,
      revision: 1,
      fields,
      createdBy: actor.kind === 'user' ? actor.userId : null,
      categories,
      idempotency,
    };
    if (!report.title) {
      throw new TallyError('validation_failed', 'title must not be blank', [
        { field: '/title', message: 'is blank' },
      ]);
    }
    const changes = this.publicChanges(null, { ...report, seq: 0 }, survey, 'rule:auto-publish', now);
    try {
      const seq = await this.reports.insert(report, changes);
      return this.view(actor, { ...report, seq }, survey, []);
    } catch (error) {
      // Two retries racing: the loser finds the winner's report.
      const winner = idempotency ? await this.replay(actor, idempotency) : undefined;
      if (winner) return winner;
      throw error;
    }
  }

  async get(actor: Actor, id: string): Promise<ReportView> {
    const report = await this.reports.findById(id);
    // A report the caller may not see does not exist for them: no hint that a pending one is there.
    if (!report || !this.maySee(actor, report)) throw new TallyError('report_not_found', `No report ${id}`);
    return this.viewWithSurvey(actor, report);
  }

  /**
   * The report an earlier request with this key made, if any. The key alone does not reveal it: the same
   * content must come with it, so a key reused for another report is refused rather than answered.
   */
  private async replay(
    actor: Actor,
    idempotency: { key: string; fingerprint: string },
  ): Promise<(ReportView & { replayed: true }) | undefined> {
    const earlier = await this.reports.findByIdempotencyKey(idempotency.key);
    if (!earlier) return undefined;
    if (earlier.idempotency?.fingerprint !== idempotency.fingerprint) {
      throw new TallyError(
        'idempotency_key_reused',
        'This Idempotency-Key was sent before with another report',
        [{ field: 'header/idempotency-key', message: 'already used for a different report' }],
      );
    }
    return { ...(await this.viewWithSurvey(actor, earlier)), replayed: true };
  }

  private async viewWithSurvey(actor: Actor, report: Report): Promise<ReportView> {
    const [survey, votes] = await Promise.all([
      this.surveys.findById(report.surveyId),
      this.reports.votesOf([report.id]),
    ]);
    return this.view(actor, report, survey, votes.get(report.id) ?? []);
  }

  async list(actor: Actor, params: ReportFilterParams): Promise<ReportPage> {
    const query = await this.query(actor, params);
    const found = await this.reports.list({ ...query, limit: query.limit + 1 });
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: await this.views(actor, page),
      next_cursor: found.length > query.limit && last ? encodeCursor(last.seq) : null,
    };
  }

  /**
   * Every published report matching the filters, in batches, for streamed exports. The filters are checked
   * before this returns, so a bad one is still a clean 4xx; keyset batches keep memory flat and never hold
   * one long read transaction open.
   */
  async openPublicExport(
    params: ReportFilterParams,
    batchSize = 1000,
  ): Promise<AsyncIterable<PublicReportSummaryView[]>> {
    const query = await this.query(anonymous, { ...params, limit: batchSize, cursor: undefined });
    const reports = this.reports;
    return {
      async *[Symbol.asyncIterator]() {
        let beforeSeq: number | null = null;
        for (;;) {
          const batch = await reports.listPublicSummaries({ ...query, beforeSeq, limit: batchSize });
          if (batch.length > 0) yield batch.map(toSummaryView);
          const last = batch.at(-1);
          if (batch.length < batchSize || !last) return;
          beforeSeq = last.seq;
        }
      },
    };
  }

  private readonly publishedListeners: ((report: Report) => Promise<void>)[] = [];

  /**
   * Told of each report a volunteer publishes, once it is committed (the inbox uses it to tell the people
   * who sent it). A listener handles its own failures: publishing has happened whatever it does.
   */
  onPublished(listener: (report: Report) => Promise<void>): void {
    this.publishedListeners.push(listener);
  }

  async update(actor: Actor, id: string, patch: ReportPatch): Promise<ReportView> {
    const editor = requireRole(actor, 'volunteer', 'edit reports');
    const current = await this.reports.findById(id);
    if (!current) throw new TallyError('report_not_found', `No report ${id}`);
    if (patch.status !== undefined && patch.status !== current.status) {
      if (patch.status === 'published' || patch.status === 'rejected') {
        const verb = patch.status === 'published' ? 'publish' : 'reject';
        refuseOwnWork(
          editor,
          current.createdBy,
          this.allowSelfReview,
          `You may not ${verb} a report you submitted`,
        );
      }
    }
    if (patch.expected_revision !== undefined && patch.expected_revision !== current.revision) {
      throw new TallyError(
        'revision_conflict',
        `You edited revision ${patch.expected_revision}; the report is now at revision ${current.revision}`,
      );
    }
    if (patch.title !== undefined && !patch.title.trim()) {
      throw new TallyError('validation_failed', 'title must not be blank', [
        { field: '/title', message: 'is blank' },
      ]);
    }
    const survey = await this.surveys.findById(current.surveyId);
    if (patch.categories) await this.categories.assertExist(patch.categories, '/categories');
    if (patch.fields && survey) checkFields(survey, patch.fields);
    const now = this.clock.now().toISOString();
    const status = patch.status ?? current.status;
    const location =
      patch.location === undefined
        ? current.location
        : patch.location === null
          ? null
          : {
              lat: patch.location.lat,
              lon: patch.location.lon,
              accuracyM: patch.location.accuracy_m ?? null,
            };
    const locationName =
      patch.location?.name !== undefined
        ? blankToNull(patch.location.name)
        : patch.location_name !== undefined
          ? blankToNull(patch.location_name)
          : current.locationName;
    const publishing = status === 'published' && current.status !== 'published';
    const next: Report = {
      ...current,
      title: patch.title?.trim() ?? current.title,
      description: patch.description?.trim() ?? current.description,
      location,
      locationName,
      occurredAt:
        patch.occurred_at === undefined ? current.occurredAt : occurredAt(patch.occurred_at, now, this.clock),
      categories: patch.categories ? [...new Set(patch.categories)] : current.categories,
      fields: patch.fields ?? current.fields,
      authorName: patch.author_name === undefined ? current.authorName : blankToNull(patch.author_name),
      sensitivity: patch.sensitivity ?? current.sensitivity,
      status,
      publishedAt: publishing ? now : current.publishedAt,
      publishedBy: publishing ? this.record.actorId(editor) : current.publishedBy,
      updatedAt: now,
      revision: current.revision + 1,
    };
    const changes = this.publicChanges(current, next, survey, editor, now);
    if (!(await this.reports.update(next, current.revision, editor.userId, changes))) {
      throw new TallyError(
        'revision_conflict',
        'Someone else edited or voted on this report at the same moment; reload it',
      );
    }
    if (publishing) await Promise.all(this.publishedListeners.map((listener) => listener(next)));
    const votes = await this.reports.votesOf([id]);
    return withVotes(toStaffView(next), votes.get(id) ?? []);
  }

  async revisions(
    actor: Actor,
    id: string,
  ): Promise<{ revision: number; actor_id: string | null; created_at: string; report: ReportView }[]> {
    requireRole(actor, 'volunteer', 'see the edit history');
    if (!(await this.reports.findById(id))) throw new TallyError('report_not_found', `No report ${id}`);
    const [revisions, votes] = await Promise.all([this.reports.revisions(id), this.reports.votesOf([id])]);
    // Each revision shows the votes cast by then, which are the ones its verification state came from.
    return revisions.map((r) => ({
      revision: r.revision,
      actor_id: r.actorId,
      created_at: r.createdAt,
      report: withVotes(
        toStaffView(r.snapshot),
        (votes.get(id) ?? []).filter((vote) => vote.createdAt <= r.createdAt),
      ),
    }));
  }

  /**
   * What the public record gets for a report going from `before` to `after`: publishing and edits of a
   * published report carry its public view (never its contact, private fields or exact sensitive place);
   * rejection and archiving carry only the new status. Edits of a report the public cannot see are not
   * public changes.
   */
  private publicChanges(
    before: Report | null,
    after: Report,
    survey: Survey | undefined,
    actor: RecordActor,
    time: string,
  ): LedgerChange[] {
    const subject = `report:${after.id}`;
    const wasPublic = before?.status === 'published';
    if (after.status === 'published') {
      const action = wasPublic ? 'report.edited' : 'report.published';
      return [this.record.change(action, subject, actor, reportRecordContent(after, survey), time)];
    }
    if (
      before &&
      before.status !== after.status &&
      (after.status === 'rejected' || after.status === 'archived')
    ) {
      const content = { id: after.id, status: after.status, revision: after.revision };
      return [this.record.change(`report.${after.status}`, subject, actor, content, time)];
    }
    return [];
  }

  private maySee(actor: Actor, report: Report): boolean {
    return report.status === 'published' || hasRole(actor, 'volunteer');
  }

  /** Views of many reports, reading each survey (for its private fields) once and all the votes at once. */
  private async views(actor: Actor, reports: Report[]): Promise<ReportView[]> {
    const votes = await this.reports.votesOf(reports.map((r) => r.id));
    const votesOf = (report: Report) => votes.get(report.id) ?? [];
    if (hasRole(actor, 'volunteer')) return reports.map((r) => withVotes(toStaffView(r), votesOf(r)));
    const surveys = new Map<string, Survey | undefined>();
    for (const id of new Set(reports.map((r) => r.surveyId)))
      surveys.set(id, await this.surveys.findById(id));
    return reports.map((r) => withVotes(toPublicView(r, surveys.get(r.surveyId)), votesOf(r)));
  }

  private view(actor: Actor, report: Report, survey: Survey | undefined, votes: readonly Vote[]): ReportView {
    const state = hasRole(actor, 'volunteer') ? toStaffView(report) : toPublicView(report, survey);
    return withVotes(state, votes);
  }

  private async query(
    actor: Actor,
    params: ReportFilterParams,
  ): Promise<Omit<ReportQuery, 'limit'> & { limit: number }> {
    const filters = parseFilters(params);
    const staff = hasRole(actor, 'volunteer');
    if (!staff && filters.status !== null && filters.status !== 'published') {
      throw new TallyError('forbidden', `Only volunteers and above may list ${filters.status} reports`, [
        { field: 'query/status', message: 'the public sees published reports only' },
      ]);
    }
    return {
      statuses: filters.status ? [filters.status] : staff ? null : ['published'],
      verification: filters.verification,
      bbox: filters.bbox,
      categoryIds: filters.categoryIds
        ? await this.categories.expandWithDescendants(filters.categoryIds, 'query/category')
        : null,
      since: filters.since,
      until: filters.until,
      searchTerms: filters.searchTerms,
      // Otherwise a search for a house number would tell who can guess it which coarse report it is.
      searchesHiddenNames: staff,
      beforeSeq: params.cursor === undefined ? null : decodeCursor(params.cursor),
      limit: params.limit ?? 100,
    };
  }
}
