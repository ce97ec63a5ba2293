import fastifyMultipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { Type } from 'typebox';
import { hasRole } from '../accounts/roles.js';
import { TallyError, validationError } from '../errors.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import type { Device } from './device.js';
import type { DeviceInput } from './devices.service.js';
import { isQuantity } from './quantities.js';
import { type ImportStatus, importStatuses } from './sensor-import.js';
import {
  DeviceBody,
  DevicePatchBody,
  DeviceView,
  deviceView,
  ImportMetadataBody,
  ImportView,
  importView,
} from './sensor-views.js';

/** Drive logs are large: a day's drive at one line per 5 s is under 2 MB; a year of a fixed logger, 60. */
export const maxLogBytes = 64 * 1024 * 1024;

function deviceInput(body: Partial<Static<typeof DeviceBody>>): Partial<DeviceInput> {
  if (body.quantity !== undefined && !isQuantity(body.quantity)) {
    throw validationError('/quantity', `must be one of the quantities listed at /api/v1/sensors/quantities`);
  }
  const input: Partial<DeviceInput> = {};
  if (body.name !== undefined) input.name = body.name;
  if (body.model !== undefined) input.model = body.model;
  if (body.sensor !== undefined) input.sensor = body.sensor;
  if (body.quantity !== undefined && isQuantity(body.quantity)) input.quantity = body.quantity;
  if (body.cpm_per_unit !== undefined) input.cpmPerUnit = body.cpm_per_unit;
  if (body.mobility !== undefined) input.mobility = body.mobility;
  if (body.location !== undefined) input.location = body.location;
  if (body.location_precision !== undefined) input.locationPrecision = body.location_precision;
  if (body.network !== undefined) input.network = body.network;
  if (body.external_id !== undefined) input.externalId = body.external_id;
  if (body.hardware_id !== undefined) input.hardwareId = body.hardware_id;
  if (body.serial !== undefined) input.serial = body.serial;
  if (body.payload_format !== undefined) input.payloadFormat = body.payload_format;
  return input;
}

const DeviceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ImportParams = DeviceParams;

export function sensorsRoutes(app: TypedApp, services: Services): void {
  const isOwner = (request: { actor: { kind: string; userId?: string } }, device: Device) =>
    request.actor.kind === 'user' && request.actor.userId === device.ownerId;

  app.post(
    '/api/v1/sensors/devices',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Register a device you own; its token is shown once',
        body: DeviceBody,
        response: {
          201: Type.Object({
            device: DeviceView,
            token: Type.String({ description: 'Send it as `Authorization: Bearer …` with readings' }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { device, token } = await services.devices.register(
        request.actor,
        deviceInput(request.body) as DeviceInput,
      );
      return reply.code(201).send({ device: deviceView(device, true), token });
    },
  );

  app.get(
    '/api/v1/sensors/devices',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Devices: all, or with mine=true your own (with their private details)',
        querystring: Type.Object({ mine: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ data: Type.Array(DeviceView) }), ...problemResponses },
      },
    },
    async (request) => {
      if (request.query.mine) {
        if (request.actor.kind !== 'user')
          throw new TallyError('unauthenticated', 'Sign in to list your devices');
        const own = await services.devices.list({ ownerId: request.actor.userId });
        return { data: own.map((device) => deviceView(device, true)) };
      }
      const all = await services.devices.list();
      return { data: all.map((device) => deviceView(device, isOwner(request, device))) };
    },
  );

  app.get(
    '/api/v1/sensors/devices/:id',
    {
      schema: {
        tags: ['sensors'],
        summary: 'One device',
        params: DeviceParams,
        response: { 200: DeviceView, ...problemResponses },
      },
    },
    async (request) => {
      const device = await services.devices.get(request.params.id);
      return deviceView(device, isOwner(request, device));
    },
  );

  app.patch(
    '/api/v1/sensors/devices/:id',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Change your device (the change is on the public record)',
        params: DeviceParams,
        body: DevicePatchBody,
        response: { 200: DeviceView, ...problemResponses },
      },
    },
    async (request) =>
      deviceView(
        await services.devices.update(request.actor, request.params.id, deviceInput(request.body)),
        true,
      ),
  );

  app.post(
    '/api/v1/sensors/devices/:id/token',
    {
      schema: {
        tags: ['sensors'],
        summary: "Replace your device's token; the old one stops working at once",
        params: DeviceParams,
        response: { 200: Type.Object({ device: DeviceView, token: Type.String() }), ...problemResponses },
      },
    },
    async (request) => {
      const { device, token } = await services.devices.rotateToken(request.actor, request.params.id);
      return { device: deviceView(device, true), token };
    },
  );

  app.register(async (scope) => {
    // A drive log arrives as a file in a form (the web page) or as the bare file (the CLI, scripts).
    await scope.register(fastifyMultipart, { limits: { fileSize: maxLogBytes, files: 1, fields: 10 } });
    scope.addContentTypeParser(
      ['application/octet-stream', 'text/plain'],
      { parseAs: 'buffer', bodyLimit: maxLogBytes },
      (_request, body, done) => done(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/v1/sensors/imports',
      {
        bodyLimit: maxLogBytes,
        schema: {
          tags: ['sensors'],
          summary: 'Import a bGeigie drive log: good lines are kept, each bad line is listed with its reason',
          description:
            'Send the file as multipart/form-data (field `file`, optional `device_id`) or as the bare body ' +
            '(text/plain or application/octet-stream) with `file_name` and optional `device_id` in the query. ' +
            'Without a device, the one writing the log’s serial is used, and registered if new.',
          querystring: Type.Object({
            file_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          }),
          response: { 201: ImportView, ...problemResponses },
        },
      },
      async (request, reply) => {
        let upload: { fileName: string; bytes: Buffer; deviceId?: string };
        if (request.isMultipart()) {
          let file: { fileName: string; bytes: Buffer } | undefined;
          let deviceId = request.query.device_id;
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              file = { fileName: part.filename || 'drive.log', bytes: await part.toBuffer() };
            } else if (part.fieldname === 'device_id' && typeof part.value === 'string' && part.value) {
              deviceId = part.value;
            }
          }
          if (!file) throw validationError('/file', 'attach the drive log as the field "file"');
          upload = { ...file, ...(deviceId ? { deviceId } : {}) };
        } else {
          if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
            throw validationError('/', 'send the drive log as the request body');
          }
          upload = {
            fileName: request.query.file_name ?? 'drive.log',
            bytes: request.body,
            ...(request.query.device_id ? { deviceId: request.query.device_id } : {}),
          };
        }
        const item = await services.imports.importBgeigie(request.actor, upload);
        return reply.code(201).send(importView(item));
      },
    );
  });

  app.get(
    '/api/v1/sensors/imports',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Drive-log imports: approved ones for everyone, your own with mine=true, all for volunteers',
        querystring: Type.Object({
          status: Type.Optional(Type.String({ description: importStatuses.join(', ') })),
          mine: Type.Optional(Type.Boolean()),
          device: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Type.Object({ data: Type.Array(ImportView) }), ...problemResponses },
      },
    },
    async (request) => {
      const { status, mine, device, limit } = request.query;
      if (status !== undefined && !(importStatuses as readonly string[]).includes(status)) {
        throw validationError('query/status', `must be one of ${importStatuses.join(', ')}`);
      }
      const items = await services.imports.list(
        request.actor,
        {
          ...(status ? { status: status as ImportStatus } : {}),
          ...(mine ? { mine } : {}),
          ...(device ? { deviceId: device } : {}),
        },
        limit ?? 100,
      );
      return { data: items.map(importView) };
    },
  );

  app.get(
    '/api/v1/sensors/imports/:id',
    {
      schema: {
        tags: ['sensors'],
        summary: 'One import with its rejected lines',
        params: ImportParams,
        response: { 200: ImportView, ...problemResponses },
      },
    },
    async (request) => importView(await services.imports.get(request.actor, request.params.id)),
  );

  app.post(
    '/api/v1/sensors/imports/:id/submit',
    {
      schema: {
        tags: ['sensors'],
        summary:
          'Submit your import for review, saying what the drive was; the approval rules may approve it at once',
        params: ImportParams,
        body: ImportMetadataBody,
        response: { 200: ImportView, ...problemResponses },
      },
    },
    async (request) =>
      importView(await services.imports.submit(request.actor, request.params.id, request.body)),
  );

  const Decision = Type.Object(
    { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
    { additionalProperties: false },
  );
  app.post(
    '/api/v1/sensors/imports/:id/approve',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Approve a submitted import (volunteers): its readings go on the map and into the open data',
        params: ImportParams,
        body: Type.Optional(Decision),
        response: { 200: ImportView, ...problemResponses },
      },
    },
    async (request) =>
      importView(
        await services.imports.approve(request.actor, request.params.id, request.body?.reason ?? null),
      ),
  );
  app.post(
    '/api/v1/sensors/imports/:id/reject',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Reject a submitted import (volunteers), saying why',
        params: ImportParams,
        body: Decision,
        response: { 200: ImportView, ...problemResponses },
      },
    },
    async (request) =>
      importView(await services.imports.reject(request.actor, request.params.id, request.body.reason ?? '')),
  );

  app.get(
    '/api/v1/sensors/imports/:id/track',
    {
      schema: {
        tags: ['sensors'],
        summary: 'The drive as a GeoJSON line with its readings as points (thinned to a few thousand)',
        params: ImportParams,
      },
    },
    async (request, reply) => {
      const { importId, points } = await services.readings.track(request.actor, request.params.id);
      reply.type('application/geo+json');
      return {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { import_id: importId, kind: 'track' },
            geometry: { type: 'LineString', coordinates: points.map((p) => [p.lon, p.lat]) },
          },
          ...points.map((p) => ({
            type: 'Feature',
            properties: { captured_at: new Date(p.capturedMs).toISOString(), value: p.value },
            geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
          })),
        ],
      };
    },
  );

  app.get(
    '/api/v1/sensors/devices/:id/series',
    {
      schema: {
        tags: ['sensors'],
        summary: "A device's public readings over time, in buckets (mean and maximum)",
        params: DeviceParams,
        querystring: Type.Object({
          quantity: Type.Optional(Type.String()),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
      },
    },
    async (request) => {
      const { quantity, from, to } = request.query;
      if (quantity !== undefined && !isQuantity(quantity))
        throw validationError('query/quantity', 'is not a quantity');
      const series = await services.readings.deviceSeries(
        request.params.id,
        quantity !== undefined && isQuantity(quantity) ? quantity : undefined,
        from ? Date.parse(from) : undefined,
        to ? Date.parse(to) : undefined,
      );
      return {
        device: deviceView(series.device, isOwner(request, series.device) || hasRole(request.actor, 'admin')),
        quantity: series.quantity,
        bucket_seconds: series.bucketMs / 1000,
        points: series.points.map((p) => ({
          t: new Date(p.t).toISOString(),
          count: p.count,
          mean: p.mean,
          max: p.max,
        })),
      };
    },
  );
}
