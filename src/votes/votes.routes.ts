import { Type } from 'typebox';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import { literalUnion, ReportIdParams } from '../reports/reports.schemas.js';
import type { Services } from '../services.js';
import { verdicts } from './vote.js';

export const VoteBody = Type.Object(
  {
    verdict: literalUnion(verdicts),
    reason: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: "What was checked, or what is missing; public, under the voter's pseudonym",
    }),
  },
  { additionalProperties: false },
);

export function votesRoutes(app: TypedApp, services: Services): void {
  app.post(
    '/api/v1/reports/:id/votes',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Confirm, reject or ask for more on a report (volunteers and up, once each, not on their own reports)',
        description:
          'A report is `verified` once enough distinct volunteers confirm it (the deployment setting ' +
          '`verification_threshold`), `disputed` while it has both confirmations and rejections short of ' +
          'that, `unverified` otherwise. Each vote is an entry `vote.cast` on the public record.',
        params: ReportIdParams,
        body: VoteBody,
        response: { 201: Type.Ref('Report'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const report = await services.votes.cast(request.actor, request.params.id, request.body);
      return reply.code(201).send(report);
    },
  );
}
