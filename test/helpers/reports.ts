import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.js';
import type { CategoryView } from '../../src/categories/categories.service.js';
import { LedgerRepository } from '../../src/ledger/ledger.repository.js';
import type { Report } from '../../src/reports/report.js';
import type { ReportView } from '../../src/reports/report-view.js';
import { ReportsRepository } from '../../src/reports/reports.repository.js';
import type { TestDb } from './databases.js';

/** A report as the API returns it; `contact` and `created_by` only in the staff view. */
export type ReportJson = ReportView;

export interface ReportPageJson {
  items: ReportJson[];
  next_cursor: string | null;
}

export type CategoryJson = CategoryView;

export type Headers = Record<string, string>;

/** Any report body the API accepts; tests pass real payloads, this only types them loosely. */
export type ReportPayload = { title: string } & Record<string, unknown>;

/** Submits a report (anonymously unless headers say otherwise) and returns it, failing the test if refused. */
export async function submitReport(
  app: App,
  payload: ReportPayload,
  headers: Headers = {},
): Promise<ReportJson> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/reports', headers, payload });
  assert.equal(response.statusCode, 201, `submitting a report failed: ${response.body}`);
  return response.json<ReportJson>();
}

/** Changes a report's status as a volunteer (or whoever the headers name). */
export async function setStatus(app: App, headers: Headers, id: string, status: string): Promise<ReportJson> {
  const response = await app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${id}`,
    headers,
    payload: { status },
  });
  assert.equal(response.statusCode, 200, `changing the status failed: ${response.body}`);
  return response.json<ReportJson>();
}

/** Submits a report and publishes it with the volunteer headers given. */
export async function publishedReport(
  app: App,
  volunteer: Headers,
  payload: ReportPayload,
): Promise<ReportJson> {
  const report = await submitReport(app, payload);
  return setStatus(app, volunteer, report.id, 'published');
}

/** Creates a category as the (coordinator) headers given. */
export async function createCategory(
  app: App,
  coordinator: Headers,
  body: { name: string; parent_id?: string | null },
): Promise<CategoryJson> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/categories',
    headers: coordinator,
    payload: body,
  });
  assert.equal(response.statusCode, 201, `creating a category failed: ${response.body}`);
  return response.json<CategoryJson>();
}

/** One page of `GET /api/v1/reports` with the query given, asserting it succeeded. */
export async function listReports(app: App, query = '', headers: Headers = {}): Promise<ReportPageJson> {
  const response = await app.inject({ url: `/api/v1/reports${query ? `?${query}` : ''}`, headers });
  assert.equal(response.statusCode, 200, `listing failed: ${response.body}`);
  return response.json<ReportPageJson>();
}

/** Titles of the first page of a listing, for readable assertions. */
export async function listedTitles(app: App, query = '', headers: Headers = {}): Promise<string[]> {
  return (await listReports(app, query, headers)).items.map((report) => report.title);
}

/**
 * Stores many published reports straight through the repository, which is much faster than the API when
 * a test needs thousands. Titles are `Report 1` … `Report n`, located on a line west of Nairobi.
 */
export async function insertPublishedReports(db: TestDb, count: number): Promise<void> {
  const repository = new ReportsRepository(
    db.kysely,
    db.dialect,
    new LedgerRepository(db.kysely, db.dialect),
  );
  const now = new Date().toISOString();
  const make = (n: number): Omit<Report, 'seq'> => ({
    id: `bulk-${String(n).padStart(6, '0')}`,
    surveyId: 'default',
    title: `Report ${n}`,
    description: `Bulk report number ${n}`,
    location: { lat: -1.28, lon: 36 + n / 10_000, accuracyM: null },
    locationName: null,
    occurredAt: now,
    receivedAt: now,
    updatedAt: now,
    publishedAt: now,
    publishedBy: 'operator',
    status: 'published',
    verification: 'unverified',
    sensitivity: 'exact',
    authorName: null,
    contact: null,
    source: 'import',
    revision: 1,
    fields: {},
    createdBy: null,
    categories: [],
    idempotency: null,
  });
  const chunk = 50;
  for (let start = 1; start <= count; start += chunk) {
    const numbers = Array.from({ length: Math.min(chunk, count - start + 1) }, (_, i) => start + i);
    await Promise.all(numbers.map((n) => repository.insert(make(n))));
  }
}

export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id?: string;
  errors?: { field: string; message: string }[];
}

/**
 * Asserts a response is an RFC 9457 problem with the status and code given and, when `field` is given,
 * that one of its `errors` names that field. Returns the parsed problem.
 */
export function assertProblem(
  response: LightMyRequestResponse,
  status: number,
  code: string,
  field?: string,
): ProblemJson {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = response.json<ProblemJson>();
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
  if (field !== undefined) {
    assert.ok(
      problem.errors?.some((error) => error.field === field),
      `expected an error naming ${field}, got ${JSON.stringify(problem.errors)}`,
    );
  }
  return problem;
}
