/**
 * The second half of `tally ledger verify`: what the database shows the public is what the record says
 * (d). A walk over the log notes which entry last spoke about each report, vote, category and account;
 * then every row is compared with that entry's content. Only those small maps are kept, so memory stays
 * flat however long the log is.
 */
import { sql, type Transaction } from 'kysely';
import { CategoriesRepository, type Category } from '../categories/categories.repository.js';
import { toCategoryView } from '../categories/categories.service.js';
import { type Channel, publicChannelContent } from '../channels/channel.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Dialect } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { type ReportQuery, ReportsRepository, type StoredReport } from '../reports/reports.repository.js';
import { reportRecordContent } from '../reports/reports.service.js';
import { type Survey, SurveysRepository } from '../surveys/surveys.repository.js';
import { canonicalJson, type JsonValue, sameJson } from './canonical-json.js';
import { LedgerRepository } from './ledger.repository.js';
import { parseContent, type RoleRecord, type VoteRecord } from './record-content.js';
import { bytes, type JsonObject, type Problems, parseObject } from './verify-problems.js';

type Trx = Transaction<Database>;
type VoteRow = Pick<Database['votes'], 'id' | 'report_id' | 'voter' | 'verdict' | 'reason' | 'ledger_index'>;

/** What the state half needs of an entry. */
export interface NotedEntry {
  index: number;
  action: string;
  subject: string;
  actor: string;
  /** Needed only for settings, roles and votes not named by their subject; may be null for the rest. */
  content: Buffer | null;
}

export interface StateCounts {
  reportsChecked: number;
  votesChecked: number;
  categoriesChecked: number;
  accountsChecked: number;
  /** Channels (deleted ones too) compared with their latest `channel.*` entry; none on a mirror. */
  channelsChecked: number;
}

const reportStateActions = ['report.published', 'report.edited', 'report.rejected', 'report.archived'];
const publicStateActions = new Set(['report.published', 'report.edited']);
/** Reports and categories are compared in batches this size, each with one query for the entries it needs. */
const stateBatch = 1000;
/** Entries fetched by index per query: well under both databases' limits on bound parameters. */
const lookupChunk = 500;

interface ReportMarks {
  /** The latest entry that set the report's public state, or -1. */
  state: number;
  /** Its action, one of `reportStateActions` (so the map holds no string per entry). */
  stateAction: string;
  /** The latest `vote.cast` about the report, or -1. */
  vote: number;
}
/** Top-level keys whose values differ between the two, compared as canonical JSON. */
function differingKeys(expected: JsonObject, recorded: JsonObject, ignore: readonly string[] = []): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(recorded)])].sort();
  const text = (object: JsonObject, key: string) =>
    Object.hasOwn(object, key) ? canonicalJson(object[key] as JsonValue) : undefined;
  return keys.filter((key) => !ignore.includes(key) && text(expected, key) !== text(recorded, key));
}

function differs(keys: readonly string[]): string {
  return `${keys.join(', ')} in the database ${keys.length === 1 ? 'differs' : 'differ'} from the record`;
}

/** A report's category links have no order in the database, so neither side's order counts. */
function withSortedCategories(view: JsonObject): JsonObject {
  const categories = view.categories;
  return Array.isArray(categories) ? { ...view, categories: [...categories].map(String).sort() } : view;
}

/** Whether the position the map shows a report at is the location its recorded content gives. */
function samePosition(shown: StoredReport['publicPosition'], recorded: JsonValue | undefined): boolean {
  if (
    recorded === null ||
    recorded === undefined ||
    typeof recorded !== 'object' ||
    Array.isArray(recorded)
  ) {
    return shown === null;
  }
  return shown !== null && shown.lat === recorded.lat && shown.lon === recorded.lon;
}

function voteKey(reportId: string, voter: string): string {
  return `${reportId}\u0000${voter}`;
}

export class StateCheck {
  private readonly reportMarks = new Map<string, ReportMarks>();
  /** The `vote.cast` entry of each (report, voter); one vote each, never changed. */
  private readonly voteEntries = new Map<string, number>();
  private readonly categoryMarks = new Map<string, { index: number; deleted: boolean }>();
  /** Categories the record says were deleted: reports lose them without entries of their own. */
  private readonly deletedCategories = new Set<string>();
  /** Each survey's public fields, as the latest `settings.changed` entry gives them. */
  private publicFieldKeys = new Map<string, Set<string>>();
  /** The latest `role.*` entry per account pseudonym, and the role it gave. */
  private readonly roleMarks = new Map<string, { index: number; role: string | null }>();
  /** The latest `account.deactivated` or `account.activated` entry per account pseudonym. */
  private readonly activeMarks = new Map<string, { index: number; active: boolean }>();
  /** The latest `channel.*` entry per channel id. */
  private readonly channelMarks = new Map<string, number>();
  private reportsChecked = 0;
  private votesChecked = 0;
  private categoriesChecked = 0;
  private accountsChecked = 0;
  private channelsChecked = 0;

  constructor(
    private readonly trx: Trx,
    private readonly dialect: Dialect,
    private readonly problems: Problems,
    /** How the record names an account; without it (a mirror has no accounts) roles are not compared. */
    private readonly pseudonym: ((userId: string) => string) | null,
  ) {}

  /**
   * Notes every entry of the log without checking it (the other half does, on its own connection): only
   * the columns the maps need, and content only for the few entries whose content they need.
   */
  async noteLog(batchSize: number): Promise<void> {
    const neededContent = sql<Uint8Array | null>`CASE WHEN action = 'settings.changed' OR action LIKE 'role.%'
      OR (action = 'vote.cast' AND subject NOT LIKE 'report:%') THEN content END`;
    for (let from = 0; ; ) {
      const rows = await this.trx
        .selectFrom('ledger_entries')
        .select(['idx', 'action', 'subject', 'actor', neededContent.as('content')])
        .where('idx', '>=', from)
        .orderBy('idx')
        .limit(batchSize)
        .execute();
      for (const row of rows) {
        this.note({
          index: Number(row.idx),
          action: row.action,
          subject: row.subject,
          actor: row.actor,
          content: row.content === null ? null : bytes(row.content),
        });
      }
      const last = rows.at(-1);
      if (!last || rows.length < batchSize) return;
      from = Number(last.idx) + 1;
    }
  }

  /** Notes which entry last spoke about each report, vote, category and account. */
  note(entry: NotedEntry): void {
    const { index, action, subject, content } = entry;
    if (subject.startsWith('report:')) {
      const stateAction = reportStateActions.find((known) => known === action);
      if (stateAction) {
        const marks = this.marksOf(subject.slice('report:'.length));
        marks.state = index;
        marks.stateAction = stateAction;
        return;
      }
    }
    if (action === 'vote.cast') {
      // A vote's subject is its report and its actor the voter; the content, read only when the vote is
      // compared with its row, must say the same. Parsing half a million votes here would double the walk.
      const vote = subject.startsWith('report:')
        ? { report_id: subject.slice('report:'.length), voter: entry.actor }
        : parseContent<VoteRecord>(content);
      if (typeof vote?.report_id !== 'string' || typeof vote.voter !== 'string') {
        this.problems.add(index, `${subject} (vote.cast): its content is not a vote`);
        return;
      }
      this.marksOf(vote.report_id).vote = index;
      this.voteEntries.set(voteKey(vote.report_id, vote.voter), index);
    } else if (subject.startsWith('category:') && action.startsWith('category.')) {
      const id = subject.slice('category:'.length);
      this.categoryMarks.set(id, { index, deleted: action === 'category.deleted' });
      if (action === 'category.deleted') this.deletedCategories.add(id);
    } else if (subject.startsWith('channel:') && action.startsWith('channel.')) {
      this.channelMarks.set(subject.slice('channel:'.length), index);
    } else if (subject.startsWith('account:') && action.startsWith('role.')) {
      const role = parseContent<RoleRecord>(content)?.role;
      this.roleMarks.set(subject.slice('account:'.length), {
        index,
        role: typeof role === 'string' ? role : null,
      });
    } else if (subject.startsWith('account:') && action.startsWith('account.')) {
      this.activeMarks.set(subject.slice('account:'.length), {
        index,
        active: action === 'account.activated',
      });
    } else if (action === 'settings.changed') {
      const surveys = parseContent<{ surveys?: { id: string; fields: { key: string }[] }[] }>(
        content,
      )?.surveys;
      if (Array.isArray(surveys)) {
        this.publicFieldKeys = new Map(
          surveys.map((survey) => [survey.id, new Set(survey.fields.map((field) => field.key))]),
        );
      }
    }
  }

  /** Compares the tables with what the noted entries say. */
  async run(): Promise<StateCounts> {
    await this.checkReports();
    await this.checkCategories();
    await this.checkRoles();
    await this.checkChannels();
    return {
      reportsChecked: this.reportsChecked,
      votesChecked: this.votesChecked,
      categoriesChecked: this.categoriesChecked,
      accountsChecked: this.accountsChecked,
      channelsChecked: this.channelsChecked,
    };
  }

  private marksOf(reportId: string): ReportMarks {
    let marks = this.reportMarks.get(reportId);
    if (!marks) {
      marks = { state: -1, stateAction: '', vote: -1 };
      this.reportMarks.set(reportId, marks);
    }
    return marks;
  }

  private async checkReports(): Promise<void> {
    const surveys = new Map((await new SurveysRepository(this.trx).list()).map((s) => [s.id, s]));
    const reports = new ReportsRepository(
      this.trx,
      this.dialect,
      new LedgerRepository(this.trx, this.dialect),
    );
    const everything: ReportQuery = {
      statuses: null,
      verification: null,
      bbox: null,
      categoryIds: null,
      since: null,
      until: null,
      searchTerms: null,
      beforeSeq: null,
      limit: stateBatch,
    };
    for (let beforeSeq: number | null = null; ; ) {
      const batch = await reports.listStored({ ...everything, beforeSeq });
      const last = batch.at(-1);
      if (!last) break;
      await this.checkReportBatch(batch, surveys);
      if (batch.length < stateBatch) break;
      beforeSeq = last.report.seq;
    }
    // What the walk noted and no row claimed: reports and votes deleted behind Tally's back.
    for (const [id, marks] of this.reportMarks) {
      if (publicStateActions.has(marks.stateAction)) {
        this.problems.add(marks.state, `report:${id} is published on the record but its row is gone`);
      }
    }
    for (const [key, index] of this.voteEntries) {
      const [reportId, voter] = key.split('\u0000');
      this.problems.add(
        index,
        `the vote of ${voter} on report:${reportId} is on the record but not in the votes table`,
      );
    }
  }

  private async checkReportBatch(batch: StoredReport[], surveys: Map<string, Survey>): Promise<void> {
    const votes = await this.trx
      .selectFrom('votes')
      .select(['id', 'report_id', 'voter', 'verdict', 'reason', 'ledger_index'])
      .where(
        'report_id',
        'in',
        batch.map(({ report }) => report.id),
      )
      .execute();
    const wanted: number[] = [];
    const marked = batch.map((stored) => {
      const { report } = stored;
      const marks = this.reportMarks.get(report.id);
      this.reportMarks.delete(report.id);
      if (marks && report.status === 'published') {
        if (marks.state >= 0) wanted.push(marks.state);
        if (marks.vote > marks.state) wanted.push(marks.vote);
      }
      return { stored, marks };
    });
    const voted = votes.map((row) => {
      const key = voteKey(row.report_id, row.voter);
      const index = this.voteEntries.get(key);
      if (index !== undefined) {
        this.voteEntries.delete(key);
        wanted.push(index);
      }
      return { row, index };
    });
    const contents = await this.contentsAt(wanted);
    for (const { stored, marks } of marked) this.checkReport(stored, marks, contents, surveys);
    for (const { row, index } of voted) this.checkVote(row, index, contents);
  }

  private checkReport(
    { report, publicPosition }: StoredReport,
    marks: ReportMarks | undefined,
    contents: Map<number, Buffer | null>,
    surveys: Map<string, Survey>,
  ): void {
    this.reportsChecked += 1;
    const subject = `report:${report.id}`;
    const hasState = marks !== undefined && marks.state >= 0;
    const recordedStatus = marks?.stateAction.slice('report.'.length);
    const recordSaysPublic = hasState && publicStateActions.has(marks.stateAction);
    if (report.status !== 'published') {
      if (!hasState) return;
      if (recordSaysPublic) {
        this.problems.add(
          marks.state,
          `${subject} is ${report.status} in the database but the record says it is published`,
        );
      } else if (report.status !== recordedStatus) {
        this.problems.add(
          marks.state,
          `${subject} is ${report.status} in the database but the record says it was ${recordedStatus}`,
        );
      }
      return;
    }
    if (!hasState) {
      this.problems.add(null, `${subject} is published in the database but is not on the record`);
      return;
    }
    if (!recordSaysPublic) {
      this.problems.add(
        marks.state,
        `${subject} is published in the database but the record says it was ${recordedStatus}`,
      );
      return;
    }
    const recorded = parseObject(contents.get(marks.state));
    if (!recorded) {
      this.problems.add(
        marks.state,
        `${subject}: the record holds no readable content for its current state`,
      );
      return;
    }
    // Entries written before coarse reports' place names were withheld carry the name the row still has.
    if (report.sensitivity === 'coarse' && recorded.location_name === report.locationName) {
      recorded.location_name = null;
    }
    const expected = reportRecordContent(report, surveys.get(report.surveyId)) as JsonObject;
    if (!this.sameReportContent(expected, recorded)) {
      const differing = differingKeys(
        withSortedCategories(expected),
        this.asTheRecordHasItNow(expected, recorded),
        ['verification'],
      );
      const what = differing.length > 0 ? differs(differing) : 'content differs from the record';
      this.problems.add(marks.state, `${subject} ${what}`);
    }
    if (!samePosition(publicPosition, recorded.location)) {
      this.problems.add(marks.state, `${subject} public position in the database differs from the record`);
    }
    // Votes change the verification state without an entry of the report's own.
    const byVote = marks.vote > marks.state;
    const source = byVote ? marks.vote : marks.state;
    const says = byVote
      ? parseContent<VoteRecord>(contents.get(marks.vote) ?? null)?.verification
      : recorded.verification;
    if (report.verification !== says) {
      this.problems.add(
        source,
        `${subject} verification in the database is ${JSON.stringify(report.verification)} but the record says ${JSON.stringify(says ?? null)}`,
      );
    }
  }

  /**
   * Whether the recorded content is the report's content now, once what later entries changed for every
   * report is applied: categories deleted since (their links go with them) and survey fields the recorded
   * settings no longer show. The verification state is compared on its own (votes change it), and the order
   * the categories were given in is not kept by the database.
   */
  private sameReportContent(expected: JsonObject, recorded: JsonObject): boolean {
    return sameJson(withSortedCategories(expected), this.asTheRecordHasItNow(expected, recorded));
  }

  private asTheRecordHasItNow(expected: JsonObject, recorded: JsonObject): JsonObject {
    const categories = Array.isArray(recorded.categories)
      ? recorded.categories.filter((id) => !this.deletedCategories.has(String(id)))
      : recorded.categories;
    const publicKeys = this.publicFieldKeys.get(String(recorded.survey_id));
    const fields =
      publicKeys && recorded.fields && typeof recorded.fields === 'object' && !Array.isArray(recorded.fields)
        ? Object.fromEntries(Object.entries(recorded.fields).filter(([key]) => publicKeys.has(key)))
        : recorded.fields;
    return withSortedCategories({
      ...recorded,
      categories: categories ?? null,
      fields: fields ?? null,
      verification: expected.verification ?? null,
    });
  }

  private checkVote(row: VoteRow, index: number | undefined, contents: Map<number, Buffer | null>): void {
    this.votesChecked += 1;
    const vote = `the vote of ${row.voter} on report:${row.report_id}`;
    const pointsAt = row.ledger_index === null ? null : Number(row.ledger_index);
    if (index === undefined) {
      this.problems.add(pointsAt, `${vote} is in the votes table but not on the record`);
      return;
    }
    const recorded = parseContent<VoteRecord>(contents.get(index) ?? null);
    const fields = { report_id: row.report_id, voter: row.voter, verdict: row.verdict, reason: row.reason };
    const differing = (['report_id', 'voter', 'verdict', 'reason'] as const).filter(
      (key) => recorded?.[key] !== fields[key],
    );
    if (differing.length > 0) this.problems.add(index, `${vote}: ${differs(differing)}`);
    if (pointsAt !== null && pointsAt !== index) {
      this.problems.add(index, `${vote} points at entry ${pointsAt}, not at its own entry`);
    }
  }

  /**
   * Every account's role is the one the record last gave it: a role raised in the database behind the
   * record's back (someone making themselves admin) is exactly the power this record is there to show.
   */
  private async checkRoles(): Promise<void> {
    if (!this.pseudonym) return;
    const users = await this.trx
      .selectFrom('users')
      .select(['id', 'email', 'role', 'disabled_at'])
      .orderBy('id')
      .execute();
    for (const user of users) {
      this.accountsChecked += 1;
      const account = this.pseudonym(user.id);
      const marks = this.roleMarks.get(account);
      if (!marks) {
        this.problems.add(
          null,
          `account:${account} has the role ${user.role} but the record never granted one`,
        );
      } else if (marks.role !== user.role) {
        this.problems.add(
          marks.index,
          `account:${account} is ${user.role} in the database but the record says ${JSON.stringify(marks.role)}`,
        );
      }
      // An account the record never deactivated is active; one deactivated behind its back may not act unseen.
      const active = this.activeMarks.get(account);
      const recordedActive = active?.active ?? true;
      if (recordedActive !== (user.disabled_at === null)) {
        this.problems.add(
          active?.index ?? null,
          `account:${account} is ${user.disabled_at === null ? 'active' : 'deactivated'} in the database but the record says it is ${recordedActive ? 'active' : 'deactivated'}`,
        );
      }
    }
  }

  /**
   * Every channel, deleted ones too, is what its latest entry says: a channel switched back on, renamed or
   * brought back from deletion in the database behind the record's back is a gateway the public was told is
   * not there. A mirror holds no channels (it has no gateways), so there the record is all there is.
   */
  private async checkChannels(): Promise<void> {
    if (!this.pseudonym) return;
    const channels = await this.trx.selectFrom('channels').selectAll().orderBy('id').execute();
    const views = channels.map((row) => ChannelsRepository.toChannel(row));
    const contents = await this.contentsAt(
      views.flatMap((channel) => {
        const index = this.channelMarks.get(channel.id);
        return index === undefined ? [] : [index];
      }),
    );
    for (const channel of views) this.checkChannel(channel, contents);
    for (const [id, index] of this.channelMarks) {
      this.problems.add(index, `channel:${id} is on the record but its row is gone`);
    }
  }

  private checkChannel(channel: Channel, contents: Map<number, Buffer | null>): void {
    this.channelsChecked += 1;
    const subject = `channel:${channel.id}`;
    const index = this.channelMarks.get(channel.id);
    this.channelMarks.delete(channel.id);
    if (index === undefined) {
      this.problems.add(null, `${subject} is in the database but not on the record`);
      return;
    }
    const recorded = parseObject(contents.get(index));
    if (!recorded) {
      this.problems.add(index, `${subject}: the record holds no readable content for it`);
      return;
    }
    const differing = differingKeys(publicChannelContent(channel) as unknown as JsonObject, recorded);
    if (differing.length > 0) this.problems.add(index, `${subject} ${differs(differing)}`);
  }

  private async checkCategories(): Promise<void> {
    // A taxonomy is small: a few hundred categories at most, read in one go.
    const categories = await new CategoriesRepository(
      this.trx,
      new LedgerRepository(this.trx, this.dialect),
    ).list();
    for (let start = 0; start < categories.length; start += stateBatch) {
      const batch = categories.slice(start, start + stateBatch);
      const marked = batch.map((category) => {
        const marks = this.categoryMarks.get(category.id);
        this.categoryMarks.delete(category.id);
        return { category, marks };
      });
      const contents = await this.contentsAt(marked.flatMap(({ marks }) => (marks ? [marks.index] : [])));
      for (const { category, marks } of marked) this.checkCategory(category, marks, contents);
    }
    for (const [id, marks] of this.categoryMarks) {
      if (!marks.deleted)
        this.problems.add(marks.index, `category:${id} is on the record but its row is gone`);
    }
  }

  private checkCategory(
    category: Category,
    marks: { index: number; deleted: boolean } | undefined,
    contents: Map<number, Buffer | null>,
  ): void {
    this.categoriesChecked += 1;
    const subject = `category:${category.id}`;
    if (!marks) {
      this.problems.add(null, `${subject} is in the database but not on the record`);
      return;
    }
    const recorded = parseObject(contents.get(marks.index));
    if (marks.deleted) {
      this.problems.add(marks.index, `${subject} is in the database but the record says it was deleted`);
    } else if (!recorded) {
      this.problems.add(marks.index, `${subject}: the record holds no readable content for it`);
    } else {
      const differing = differingKeys(toCategoryView(category) as unknown as JsonObject, recorded);
      if (differing.length > 0) this.problems.add(marks.index, `${subject} ${differs(differing)}`);
    }
  }

  private async contentsAt(indices: readonly number[]): Promise<Map<number, Buffer | null>> {
    const found = new Map<number, Buffer | null>();
    const unique = [...new Set(indices)];
    for (let i = 0; i < unique.length; i += lookupChunk) {
      const rows = await this.trx
        .selectFrom('ledger_entries')
        .select(['idx', 'content'])
        .where('idx', 'in', unique.slice(i, i + lookupChunk))
        .execute();
      for (const row of rows) found.set(Number(row.idx), row.content === null ? null : bytes(row.content));
    }
    return found;
  }
}
