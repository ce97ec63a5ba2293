import { Type } from 'typebox';
import { Id, Timestamp } from '../http/schemas.js';
import type { Device } from './device.js';
import { publicDeviceContent } from './devices.service.js';
import { quantityNames } from './quantities.js';
import type { SensorImport } from './sensor-import.js';

const Position = Type.Object({ lat: Type.Number(), lon: Type.Number() });

export const DeviceView = Type.Object({
  id: Id,
  name: Type.String(),
  model: Type.String(),
  sensor: Type.String(),
  quantity: Type.String(),
  unit: Type.String(),
  cpm_per_unit: Type.Union([Type.Number(), Type.Null()]),
  mobility: Type.String(),
  location: Type.Union([Position, Type.Null()], {
    description: 'Where the public sees a fixed device: exact, or the centre of a 5 km² hexagon',
  }),
  location_precision: Type.String(),
  created_at: Timestamp,
  last_reading_at: Type.Union([Timestamp, Type.Null()]),
  /** Only to the device's owner. */
  exact_location: Type.Optional(Type.Union([Position, Type.Null()])),
  network: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  external_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  hardware_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  serial: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  payload_format: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export function deviceView(device: Device, asOwner: boolean) {
  const view = {
    ...publicDeviceContent(device),
    created_at: device.createdAt,
    last_reading_at: device.lastReadingAt,
  };
  if (!asOwner) return view;
  return {
    ...view,
    exact_location: device.location,
    network: device.network,
    external_id: device.externalId,
    hardware_id: device.hardwareId,
    serial: device.serial,
    payload_format: device.payloadFormat,
  };
}

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const DeviceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    model: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'e.g. bGeigie Nano, airrohr, Safecast Solarcast',
    }),
    sensor: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'The tube or sensor, e.g. LND 7317 (its conversion factor is then known), PMS5003',
    }),
    quantity: Type.Optional(
      Type.String({ description: `What it mostly measures: ${quantityNames.join(', ')}` }),
    ),
    cpm_per_unit: Type.Optional(
      nullable(
        Type.Number({ exclusiveMinimum: 0, description: 'Counts per minute per µSv/h (LND 7317: 334)' }),
      ),
    ),
    mobility: Type.Union([Type.Literal('fixed'), Type.Literal('mobile')]),
    location: Type.Optional(
      nullable(
        Type.Object({
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          lon: Type.Number({ minimum: -180, maximum: 180 }),
        }),
      ),
    ),
    location_precision: Type.Optional(
      Type.Union([Type.Literal('exact'), Type.Literal('coarse')], {
        description: 'coarse (the default) shows a fixed device at the centre of a 5 km² hexagon',
      }),
    ),
    network: Type.Optional(
      nullable(Type.String({ minLength: 1, maxLength: 30, description: 'ttn, airrohr or safecast' })),
    ),
    external_id: Type.Optional(
      nullable(
        Type.String({
          minLength: 1,
          maxLength: 200,
          description: 'Its id there: application-id/device-id on The Things Network, esp8266-… for airrohr',
        }),
      ),
    ),
    hardware_id: Type.Optional(nullable(Type.String({ maxLength: 64 }))),
    serial: Type.Optional(nullable(Type.String({ maxLength: 64 }))),
    payload_format: Type.Optional(
      nullable(Type.Union([Type.Literal('cayenne-lpp'), Type.Literal('sensebox-home')])),
    ),
  },
  { additionalProperties: false },
);

export const DevicePatchBody = Type.Partial(DeviceBody, { additionalProperties: false });

export const ImportView = Type.Object({
  id: Id,
  device_id: Id,
  kind: Type.String(),
  file_name: Type.String(),
  md5: Type.String(),
  size_bytes: Type.Integer(),
  status: Type.String({ description: 'processed → submitted → approved | rejected' }),
  format: Type.Union([Type.String(), Type.Null()]),
  dead_time: Type.Boolean(),
  lines: Type.Integer(),
  accepted: Type.Integer({ description: 'Good lines, stored now or before' }),
  duplicates: Type.Integer({ description: 'Good lines already stored (the same device and instant)' }),
  rejected: Type.Integer(),
  rejected_lines: Type.Array(
    Type.Object({ line: Type.Integer(), reason: Type.String(), text: Type.String() }),
  ),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  summary: Type.Object({
    min_cpm: Type.Union([Type.Number(), Type.Null()]),
    max_cpm: Type.Union([Type.Number(), Type.Null()]),
    gps_fix_share: Type.Number(),
    first_captured_at: Type.Union([Type.String(), Type.Null()]),
    last_captured_at: Type.Union([Type.String(), Type.Null()]),
    bbox: Type.Union([Type.Array(Type.Number()), Type.Null()]),
  }),
  created_at: Timestamp,
  submitted_at: Type.Union([Timestamp, Type.Null()]),
  decided_at: Type.Union([Timestamp, Type.Null()]),
  auto_approved: Type.Boolean(),
  decision_reason: Type.Union([Type.String(), Type.Null()]),
});

export function importView(item: SensorImport) {
  return {
    id: item.id,
    device_id: item.deviceId,
    kind: item.kind,
    file_name: item.fileName,
    md5: item.md5,
    size_bytes: item.sizeBytes,
    status: item.status,
    format: item.format,
    dead_time: item.deadTime,
    lines: item.lineCount,
    accepted: item.acceptedCount,
    duplicates: item.duplicateCount,
    rejected: item.rejectedCount,
    rejected_lines: item.rejectedLines,
    metadata: item.metadata as Record<string, unknown>,
    summary: {
      min_cpm: item.summary.minCpm,
      max_cpm: item.summary.maxCpm,
      gps_fix_share: item.summary.gpsFixShare,
      first_captured_at: item.summary.firstCapturedAt,
      last_captured_at: item.summary.lastCapturedAt,
      bbox: item.summary.bbox,
    },
    created_at: item.createdAt,
    submitted_at: item.submittedAt,
    decided_at: item.decidedAt,
    auto_approved: item.decidedBy === 'rule:auto-approve',
    decision_reason: item.decisionReason,
  };
}

export const ImportMetadataBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    cities: Type.Optional(Type.String({ maxLength: 500 })),
    credits: Type.Optional(Type.String({ maxLength: 500 })),
    height: Type.Optional(
      Type.Number({ minimum: 0, maximum: 10_000, description: 'metres above the ground' }),
    ),
    orientation: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
