import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemOf, TallyError } from '../errors.js';
import { fieldErrors } from './validation.js';

const fastifyCodes: Record<string, TallyError['code']> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
};

/** Driver errors that mean "the database is away or overloaded", not "this request is wrong". */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
  'SQLITE_BUSY',
]);

/** Maps anything thrown to one of the catalog's errors; unknown ones become `internal`. */
export function toTallyError(error: FastifyError | Error): TallyError {
  if (error instanceof TallyError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fieldErrors(
      fastifyError.validation as Parameters<typeof fieldErrors>[0],
      fastifyError.validationContext ?? 'body',
    );
    const first = errors[0];
    return new TallyError(
      'validation_failed',
      first ? `${first.field} ${first.message}` : error.message,
      errors,
    );
  }
  if (fastifyError.code && unavailableCodes.has(fastifyError.code)) {
    return new TallyError('service_unavailable', 'The database is not reachable or busy; try again shortly');
  }
  const mapped = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (mapped) return new TallyError(mapped, error.message);
  if (fastifyError.statusCode === 429) return new TallyError('rate_limited', error.message);
  if (fastifyError.statusCode === 404) return new TallyError('not_found', error.message);
  if (fastifyError.statusCode === 415) return new TallyError('unsupported_media_type', error.message);
  if (fastifyError.statusCode === 413) return new TallyError('body_too_large', error.message);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new TallyError('validation_failed', error.message);
  }
  return new TallyError('internal');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: TallyError): FastifyReply {
  return reply
    .code(error.status)
    .type('application/problem+json; charset=utf-8')
    .send(problemOf(error, String(request.id)));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const tallyError = toTallyError(error);
    if (tallyError.code === 'internal') {
      request.log.error({ err: error }, 'unhandled error');
    } else if (tallyError.status >= 500) {
      request.log.error({ err: error, code: tallyError.code }, tallyError.message);
    } else {
      request.log.info({ code: tallyError.code, detail: tallyError.message }, 'request refused');
    }
    return sendProblem(request, reply, tallyError);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new TallyError('not_found', `Nothing at ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
