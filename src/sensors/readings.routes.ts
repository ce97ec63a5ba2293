import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireRole } from '../accounts/roles.js';
import { tokenOf } from '../http/auth.js';
import { decodeUtf8 } from '../http/body-parsers.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import type { StoredUplink } from './uplinks.js';

/** 10,000 readings of JSON with positions are about 1.5 MB. */
const readingsBodyLimit = 8 * 1024 * 1024;

const Stored = Type.Object({
  device_id: Type.String(),
  stored: Type.Integer({ description: 'Readings stored now' }),
  duplicates: Type.Integer({
    description: 'Readings already stored before (same device, quantity and time)',
  }),
});

function stored(outcome: StoredUplink) {
  return { device_id: outcome.deviceId, stored: outcome.inserted, duplicates: outcome.duplicates };
}

/** Sensor.Community's firmware sends its own-API credentials as HTTP Basic; the password is the device token. */
function basicPassword(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * Where live readings arrive over HTTP: Tally's own JSON batches and CSV with the device's token, The Things
 * Network's webhooks with the owner's API token, Sensor.Community stations with their device token. A batch
 * is stored whole or refused whole.
 */
export function readingsRoutes(app: TypedApp, services: Services): void {
  const { uplinks } = services;
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(['text/csv'], { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, decodeUtf8(body as Buffer));
      } catch (error) {
        done(error as Error, undefined);
      }
    });

    scope.post(
      '/api/v1/sensors/readings',
      {
        bodyLimit: readingsBodyLimit,
        schema: {
          tags: ['sensors'],
          summary: "Send a device's readings (up to 10,000) as JSON or CSV, with the device token",
          description:
            'JSON: `{"readings":[{"captured_at":"2026-11-26T04:00:00Z","cpm":40},{"captured_at":"…","quantity":"pm2_5","value":12.5,"lat":35.1,"lon":139.2}]}`. ' +
            'CSV (text/csv): a header naming `captured_at`, `quantity`, `value` or `cpm`, and optionally `lat`, `lon`, `altitude`. ' +
            'Counts per minute are converted with the device’s own factor. Readings of a fixed device are placed where the public sees it.',
          security: [{ bearer: [] }],
          response: { 200: Stored, ...problemResponses },
        },
      },
      async (request) => {
        const token = tokenOf(request);
        if (typeof request.body === 'string') return stored(await uplinks.csv(request.body, token));
        return stored(await uplinks.json(request.body, token));
      },
    );

    for (const version of ['v3', 'v2'] as const) {
      scope.post(
        `/api/v1/sensors/ttn/${version}`,
        {
          bodyLimit: readingsBodyLimit,
          schema: {
            tags: ['sensors'],
            summary: `The Things Network ${version} uplink webhook (send the device owner's API token)`,
            description:
              'Register the device first with network `ttn` and external_id `application-id/device-id`. ' +
              'In the webhook, add the header `Authorization: Bearer <your API token>`.',
            security: [{ bearer: [] }],
            response: { 200: Stored, ...problemResponses },
          },
        },
        async (request) => {
          const owner = requireRole(request.actor, 'reporter', 'relay uplinks');
          return stored(await uplinks.ttn(request.body, version, owner));
        },
      );
    }

    scope.post(
      '/api/v1/sensors/safecast',
      {
        bodyLimit: readingsBodyLimit,
        schema: {
          tags: ['sensors'],
          summary: 'Safecast real-time device records (one, or an array), relayed with the owner’s API token',
          security: [{ bearer: [] }],
          response: { 200: Type.Object({ data: Type.Array(Stored) }), ...problemResponses },
        },
      },
      async (request) => {
        const owner = requireRole(request.actor, 'reporter', 'relay device records');
        const records = Array.isArray(request.body) ? request.body : [request.body];
        const data = [];
        for (const record of records) data.push(stored(await uplinks.safecast(record, owner)));
        return { data };
      },
    );

    scope.post(
      '/api/v1/sensors/airrohr',
      {
        schema: {
          tags: ['sensors'],
          summary: 'Sensor.Community (airrohr) station push',
          description:
            'In the station’s “Send to own API” settings: this path, the user name of your choice and the device token as the password. ' +
            'Register the station with network `airrohr` and external_id its X-Sensor name (esp8266-…).',
          response: { 200: Stored, ...problemResponses },
        },
      },
      async (request) => {
        const sensor = request.headers['x-sensor'];
        const token = basicPassword(request) ?? tokenOf(request);
        return stored(
          await uplinks.airrohr(request.body, typeof sensor === 'string' ? sensor : undefined, token),
        );
      },
    );
  });
}
