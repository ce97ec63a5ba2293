import { randomUUID } from 'node:crypto';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { accountsRoutes } from './accounts/accounts.routes.js';
import { categoriesRoutes } from './categories/categories.routes.js';
import { channelsRoutes } from './channels/channels.routes.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { TallyError } from './errors.js';
import { exportsRoutes } from './exports/exports.routes.js';
import { readingsExportsRoutes } from './exports/readings-exports.routes.js';
import { localPlacesRoutes, placesRoutes } from './geo/places.routes.js';
import { registerAuthentication } from './http/auth.js';
import { registerBodyParsers } from './http/body-parsers.js';
import { registerErrorHandling, sendProblem, toTallyError } from './http/errors-handler.js';
import { registerSameOriginCheck } from './http/same-origin.js';
import { Problem } from './http/schemas.js';
import { securityHeaders } from './http/security-headers.js';
import { systemRoutes } from './http/system.routes.js';
import { validatorCompiler } from './http/validation.js';
import { ledgerRoutes } from './ledger/ledger.routes.js';
import { inboundRoutes } from './messages/inbound.routes.js';
import { messagesRoutes } from './messages/messages.routes.js';
import { reportsRoutes } from './reports/reports.routes.js';
import { Report } from './reports/reports.schemas.js';
import { isDeviceToken } from './sensors/devices.service.js';
import { feedsRoutes } from './sensors/feeds.routes.js';
import type { MqttStartOptions } from './sensors/mqtt-ingest.js';
import { readingsRoutes } from './sensors/readings.routes.js';
import { sensorMapRoutes } from './sensors/sensor-map.routes.js';
import { sensorsRoutes } from './sensors/sensors.routes.js';
import { createServices, type Services } from './services.js';
import { version } from './version.js';
import { votesRoutes } from './votes/votes.routes.js';
import { pagesRoutes } from './web-pages/pages.routes.js';

export interface AppDependencies {
  db: Db;
  clock?: Clock;
  /** Built from `db` when absent; tests pass their own to reach the services directly. */
  services?: Services;
  /** How often to sign a checkpoint when the record has grown; none in tests (reading one signs it too). */
  checkpointIntervalMs?: number;
  /** How often to send queued outbound messages; none unless given (tests send with `runOnce`). */
  outboxIntervalMs?: number;
  /** Read readings over MQTT (TALLY_MQTT_URL and the sensor feeds) while listening; off unless given. */
  mqtt?: boolean | MqttStartOptions;
  /** Pino options or `false`; tests pass a stream to read what was logged. */
  logger?: FastifyServerOptions['logger'];
}

const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request's URL as logged: a gateway's query holds a sender's number and a shared secret, so it is cut. */
function loggedUrl(url: string): string {
  return url.startsWith('/api/v1/inbound/') ? url.split('?')[0]! : url;
}

function withPrivateQueries(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger || typeof logger !== 'object') return logger;
  return {
    ...logger,
    serializers: {
      ...logger.serializers,
      req: (request: { method: string; url: string; host?: string; ip?: string }) => ({
        method: request.method,
        url: loggedUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
      }),
    },
  };
}

/** The whole HTTP application, not listening: `server.ts` listens, tests call `inject()`. */
export async function buildApp(config: Config, deps: AppDependencies) {
  const services: Services =
    deps.services ?? (await createServices(deps.db, deps.clock ?? systemClock, config));
  if (!services.record.readOnly) await services.recordPublicSettings();
  const setSecurityHeaders = securityHeaders(config);
  const app = Fastify({
    logger: withPrivateQueries(deps.logger ?? { level: config.logLevel }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    // A proxy's or client's request id is kept when it is a sane token, so logs can be joined up.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    // What Fastify refuses before routing (a broken percent-escape in the path) is answered like any error.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      setSecurityHeaders(request, reply);
      sendProblem(request, reply, toTallyError(error));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  registerErrorHandling(app);
  registerBodyParsers(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    setSecurityHeaders(request, reply);
  });
  if (!services.identity.signer) {
    // A mirror copies another deployment's record: every change belongs there, none here.
    app.addHook('onRequest', async (request) => {
      if (!readOnlyMethods.has(request.method)) {
        throw new TallyError(
          'read_only_mirror',
          `This deployment is a read-only mirror of ${services.identity.origin}; make changes at the origin`,
        );
      }
    });
  }
  app.addSchema(Problem);
  app.addSchema(Report);

  await app.register(fastifyCookie);
  registerAuthentication(app, services.accounts);
  registerSameOriginCheck(app, config, isDeviceToken);
  await app.register(fastifyRateLimit, {
    global: false,
    // After authentication, so signed-in callers are counted by account with their own limit.
    hook: 'preParsing',
    errorResponseBuilder: (_request, context) =>
      new TallyError('rate_limited', `Too many requests; try again in ${context.after}`),
  });
  await app.register(fastifyCompress, { encodings: ['gzip', 'deflate'], threshold: 1024 });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${config.name} API`,
        version,
        description:
          'Collect observations from anyone, check them together, map them, publish them as open data. ' +
          'Errors are application/problem+json with a stable `code`. Send `Authorization: Bearer <token>` to act as a user.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());

  if (deps.checkpointIntervalMs && !services.record.readOnly) {
    // Mirrors and auditors then find a recent signed tree even when nobody asked for one.
    const timer = setInterval(() => {
      services.ledger
        .checkpoint()
        .catch((error: unknown) => app.log.error({ err: error }, 'signing a checkpoint failed'));
    }, deps.checkpointIntervalMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  if (deps.outboxIntervalMs && !services.record.readOnly) {
    const { outbox } = services;
    app.addHook('onListen', async () => {
      // Without TALLY_PUBLIC_URL, gateways on this machine report deliveries where the server listens.
      const address = app.server.address();
      if (!config.publicUrl && address && typeof address === 'object') {
        outbox.reachableAt(
          `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
        );
      }
      outbox.start(deps.outboxIntervalMs ?? 5000, app.log);
      services.mail.start(30_000, app.log);
    });
    app.addHook('onClose', async () => {
      await services.mail.stop();
      await outbox.stop();
    });
  }

  if (deps.mqtt && !services.record.readOnly) {
    const options = typeof deps.mqtt === 'object' ? deps.mqtt : {};
    app.addHook('onListen', async () => services.mqtt.start(app.log, options));
    app.addHook('onClose', async () => services.mqtt.stop());
  }

  systemRoutes(app, config, deps.db, services.mirror);
  accountsRoutes(app, services, config);
  categoriesRoutes(app, services);
  reportsRoutes(app, services, config);
  votesRoutes(app, services);
  exportsRoutes(app, services, config);
  readingsExportsRoutes(app, services, config);
  placesRoutes(app, services.places);
  localPlacesRoutes(app, services.localPlaces);
  ledgerRoutes(app, services);
  inboundRoutes(app, services, config);
  messagesRoutes(app, services);
  channelsRoutes(app, services);
  sensorsRoutes(app, services);
  readingsRoutes(app, services);
  feedsRoutes(app, services);
  sensorMapRoutes(app, services);
  await pagesRoutes(app, services, config);

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
