import { Type } from 'typebox';
import type { Config } from '../config.js';
import { rateLimitKey } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import { ListQuery, NewReportBody, ReportIdParams, ReportPatchBody } from './reports.schemas.js';

export function reportSubmissionLimit(config: Config) {
  return {
    max: (request: { actor: { kind: string } }) =>
      request.actor.kind === 'user' ? config.authenticatedReportsPerMinute : config.anonymousReportsPerMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
  };
}

export function reportsRoutes(app: TypedApp, services: Services, config: Config): void {
  const { reports } = services;

  app.post(
    '/api/v1/reports',
    {
      config: { rateLimit: reportSubmissionLimit(config) },
      schema: {
        tags: ['reports'],
        summary: 'Submit a report (anyone; rate-limited)',
        body: NewReportBody,
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({
              minLength: 8,
              maxLength: 200,
              pattern: '^[\\x21-\\x7e]+$',
              description: 'Send the same key again when retrying: the first report is returned, not a copy',
            }),
          ),
        }),
        response: { 200: Type.Ref('Report'), 201: Type.Ref('Report'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const source = request.headers['x-tally-client'] === 'web' ? 'web' : 'api';
      const { replayed, ...report } = await reports.create(
        request.actor,
        request.body,
        source,
        request.headers['idempotency-key'] ?? null,
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .code(replayed ? 200 : 201)
        .header('location', `/api/v1/reports/${report.id}`)
        .send(report);
    },
  );

  app.get(
    '/api/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'List reports, newest first: published ones for everyone, all for volunteers and up',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('Report')),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses,
        },
      },
    },
    (request) => reports.list(request.actor, request.query),
  );

  app.get(
    '/api/v1/reports/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'One report (404 for a report the caller may not see)',
        params: ReportIdParams,
        response: { 200: Type.Ref('Report'), ...problemResponses },
      },
    },
    (request) => reports.get(request.actor, request.params.id),
  );

  app.patch(
    '/api/v1/reports/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'Edit a report or change its status (volunteers and up); every edit is a new revision',
        params: ReportIdParams,
        body: ReportPatchBody,
        response: { 200: Type.Ref('Report'), ...problemResponses },
      },
    },
    (request) => reports.update(request.actor, request.params.id, request.body),
  );

  app.get(
    '/api/v1/reports/:id/revisions',
    {
      schema: {
        tags: ['reports'],
        summary: 'Every revision of a report, oldest first (volunteers and up)',
        params: ReportIdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                revision: Type.Integer(),
                actor_id: Type.Union([Type.String(), Type.Null()]),
                created_at: Type.String(),
                report: Type.Ref('Report'),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({ items: await reports.revisions(request.actor, request.params.id) }),
  );
}
