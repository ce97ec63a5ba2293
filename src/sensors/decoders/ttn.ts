import type { DecodedReading, DecodedUplink } from './decoded-reading.js';
import {
  bytesFromBase64,
  devicePlace,
  isRecord,
  malformed,
  matchOf,
  nameTable,
  type Place,
  pressureInHpa,
  requireId,
  requireInstant,
  toReadings,
  type ValueMatch,
} from './values.js';

/**
 * The Things Network uplinks: The Things Stack v3 (`as/up` webhook and MQTT JSON) and the retired v2
 * HTTP and MQTT integration, with the two raw payload formats Tally reads itself when the network sends
 * only bytes.
 */

export type PayloadFormat = 'cayenne-lpp' | 'sensebox-home';

export interface TtnOptions {
  /** How the device's raw bytes are laid out; when set, they are decoded even if a decoded payload came too. */
  payloadFormat?: PayloadFormat;
}

export interface Vector {
  x: number;
  y: number;
  z: number;
}

export interface GpsFix {
  latitude: number;
  longitude: number;
  altitude: number;
}

/** Cayenne LPP values named as The Things Stack's own Cayenne formatter names them: `temperature_1`, … */
export type CayenneValues = Record<string, number | Vector | GpsFix>;

export interface SenseBoxHomeValues {
  temperature: number;
  humidity: number;
  pressure: number;
  illuminance: number;
  uv: number;
}

// Names that payload formatters give their values: The Things Stack's Cayenne LPP formatter
// (`temperature_1`, `relative_humidity_2`, … matched here without the channel), Safecast's field names
// and common community formatters. Analog and digital channels, presence, accelerometer and gyrometer
// carry no fixed meaning and are left out.
const payloadNames = nameTable([
  ['radiation', 'cpm', ['cpm', 'lnd_7317', 'lnd_7318u', 'lnd_7318c', 'lnd_712u', 'lnd_7128ec']],
  ['radiation', 'native', ['usv', 'usv_h', 'usvh', 'dose_rate']],
  ['pm1', 'native', ['pm1', 'pm1_0']],
  ['pm2_5', 'native', ['pm2_5', 'pm25']],
  ['pm10', 'native', ['pm10', 'pm10_0']],
  ['temperature', 'native', ['temperature', 'temp']],
  ['humidity', 'native', ['humidity', 'relative_humidity', 'hum', 'rh']],
  ['pressure', 'native', ['pressure', 'barometric_pressure', 'air_pressure'], pressureInHpa],
  ['co2', 'native', ['co2', 'co2_ppm']],
  ['illuminance', 'native', ['illuminance', 'luminosity', 'lux']],
  ['noise', 'native', ['noise', 'noise_laeq', 'laeq']],
  ['battery', 'native', ['battery', 'bat_voltage', 'battery_voltage', 'vbat']],
]);

const cayenneChannel =
  /^(digital_in|digital_out|analog_in|analog_out|luminosity|presence|temperature|relative_humidity|accelerometer|barometric_pressure|gyrometer|gps)_\d{1,3}$/;

export function decodeTtnV3Uplink(body: unknown, options: TtnOptions = {}): DecodedUplink {
  if (!isRecord(body)) throw malformed('', 'must be a JSON object');
  const ids = isRecord(body.end_device_ids) ? body.end_device_ids : {};
  const applicationIds = isRecord(ids.application_ids) ? ids.application_ids : {};
  const applicationId = requireId(
    applicationIds.application_id,
    '/end_device_ids/application_ids/application_id',
  );
  const deviceId = requireId(ids.device_id, '/end_device_ids/device_id');
  const hardwareId = euiFrom(ids.dev_eui, '/end_device_ids/dev_eui');
  const uplink = body.uplink_message;
  if (!isRecord(uplink)) throw malformed('/uplink_message', 'is required: only uplinks carry readings');
  // The network's receipt of the uplink itself; the top-level time is when the message was forwarded.
  const capturedAt =
    uplink.received_at === undefined && body.received_at !== undefined
      ? requireInstant(body.received_at, '/received_at')
      : requireInstant(uplink.received_at, '/uplink_message/received_at');
  const payload = {
    decoded: uplink.decoded_payload,
    decodedField: '/uplink_message/decoded_payload',
    raw: uplink.frm_payload,
    rawField: '/uplink_message/frm_payload',
  };
  return {
    device: { network: 'ttn', externalId: `${applicationId}/${deviceId}`, hardwareId },
    readings: readingsOf(payload, options, capturedAt, locationOf(uplink.locations)),
  };
}

export function decodeTtnV2Uplink(body: unknown, options: TtnOptions = {}): DecodedUplink {
  if (!isRecord(body)) throw malformed('', 'must be a JSON object');
  const applicationId = requireId(body.app_id, '/app_id');
  const deviceId = requireId(body.dev_id, '/dev_id');
  const hardwareId = euiFrom(body.hardware_serial, '/hardware_serial');
  const metadata = isRecord(body.metadata) ? body.metadata : {};
  const capturedAt = requireInstant(metadata.time, '/metadata/time');
  const payload = {
    decoded: body.payload_fields,
    decodedField: '/payload_fields',
    raw: body.payload_raw,
    rawField: '/payload_raw',
  };
  const place = devicePlace(metadata.latitude, metadata.longitude, metadata.altitude);
  return {
    device: { network: 'ttn', externalId: `${applicationId}/${deviceId}`, hardwareId },
    readings: readingsOf(payload, options, capturedAt, place),
  };
}

interface PayloadSource {
  decoded: unknown;
  decodedField: string;
  raw: unknown;
  rawField: string;
}

function readingsOf(
  source: PayloadSource,
  { payloadFormat }: TtnOptions,
  capturedAt: number,
  registeredPlace: Place | null,
): DecodedReading[] {
  const { matches, place, field } = valuesOf(source, payloadFormat);
  const readings = toReadings(matches, capturedAt, place ?? registeredPlace);
  if (readings.length === 0) throw malformed(field, 'carries no value Tally reads');
  return readings;
}

function valuesOf(
  { decoded, decodedField, raw, rawField }: PayloadSource,
  format: PayloadFormat | undefined,
): { matches: ValueMatch[]; place: Place | null; field: string } {
  const hasRaw = raw !== undefined && raw !== null && raw !== '';
  const hasDecoded = decoded !== undefined && decoded !== null;
  if (hasDecoded && !(format && hasRaw)) {
    if (!isRecord(decoded)) throw malformed(decodedField, 'must be an object');
    return { ...namedValues(decoded), field: decodedField };
  }
  if (!hasRaw) throw malformed(rawField, 'is required when there is no decoded payload');
  const bytes = bytesFromBase64(raw, rawField);
  if (format === 'sensebox-home') {
    const values = decodeSenseBoxHome(bytes, rawField);
    const matches = Object.entries(values).map(([quantity, value]) => ({
      quantity: quantity as keyof SenseBoxHomeValues,
      value,
      unit: 'native' as const,
      rank: 0,
    }));
    return { matches, place: null, field: rawField };
  }
  return { ...namedValues(decodeCayenneLpp(bytes, rawField)), field: rawField };
}

/** Values and the device's own fix from a decoded payload; names it does not know are not Tally's business. */
function namedValues(payload: Record<string, unknown>): { matches: ValueMatch[]; place: Place | null } {
  const matches: ValueMatch[] = [];
  // `latitude`/`longitude`/`altitude` at the top is The Things Stack's convention for a location in the payload.
  let place = devicePlace(payload.latitude, payload.longitude, payload.altitude);
  for (const [key, raw] of Object.entries(payload)) {
    const name = normalised(key);
    if (place === null && name.startsWith('gps_') && isRecord(raw)) {
      place = devicePlace(raw.latitude, raw.longitude, raw.altitude);
    }
    const named = payloadNames.get(name.replace(cayenneChannel, '$1'));
    // Formatters are each application's own code: a known name holding a non-number means something else.
    if (named && typeof raw === 'number' && Number.isFinite(raw)) matches.push(matchOf(named, raw));
  }
  return { matches, place };
}

function normalised(key: string): string {
  return key
    .toLowerCase()
    .replace(/[µμ]/g, 'u')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

function locationOf(locations: unknown): Place | null {
  if (!isRecord(locations)) return null;
  // A fix the device sent beats the place its owner typed into the console.
  for (const service of ['frm-payload', 'user']) {
    const location = locations[service];
    const place = isRecord(location)
      ? devicePlace(location.latitude, location.longitude, location.altitude)
      : null;
    if (place) return place;
  }
  return null;
}

function euiFrom(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string' || !/^[0-9A-Fa-f]{16}$/.test(raw)) {
    throw malformed(field, 'must be an EUI-64: 16 hexadecimal digits');
  }
  return raw.toUpperCase();
}

interface LppType {
  name: string;
  size: number;
  read: (view: DataView, at: number) => number | Vector | GpsFix;
}

const int24 = (view: DataView, at: number) => (view.getInt8(at) << 16) | view.getUint16(at + 1);
const vector = (scale: number) => (view: DataView, at: number) => ({
  x: view.getInt16(at) / scale,
  y: view.getInt16(at + 2) / scale,
  z: view.getInt16(at + 4) / scale,
});

// Cayenne Low Power Payload (myDevices; IPSO object ids − 3200): channel, type, big-endian value.
// Scales as in The Things Stack's decoder (pkg/messageprocessors/cayennelpp) and its test vectors.
const lppTypes = new Map<number, LppType>([
  [0, { name: 'digital_in', size: 1, read: (view, at) => view.getUint8(at) }],
  [1, { name: 'digital_out', size: 1, read: (view, at) => view.getUint8(at) }],
  [2, { name: 'analog_in', size: 2, read: (view, at) => view.getInt16(at) / 100 }],
  [3, { name: 'analog_out', size: 2, read: (view, at) => view.getInt16(at) / 100 }],
  [101, { name: 'luminosity', size: 2, read: (view, at) => view.getUint16(at) }],
  [102, { name: 'presence', size: 1, read: (view, at) => view.getUint8(at) }],
  [103, { name: 'temperature', size: 2, read: (view, at) => view.getInt16(at) / 10 }],
  [104, { name: 'relative_humidity', size: 1, read: (view, at) => view.getUint8(at) / 2 }],
  [113, { name: 'accelerometer', size: 6, read: vector(1000) }],
  [115, { name: 'barometric_pressure', size: 2, read: (view, at) => view.getUint16(at) / 10 }],
  [134, { name: 'gyrometer', size: 6, read: vector(100) }],
  [
    136,
    {
      name: 'gps',
      size: 9,
      read: (view, at) => ({
        latitude: int24(view, at) / 10_000,
        longitude: int24(view, at + 3) / 10_000,
        altitude: int24(view, at + 6) / 100,
      }),
    },
  ],
]);

/** Cayenne LPP bytes as named values; `field` names the payload in errors. */
export function decodeCayenneLpp(bytes: Uint8Array, field = ''): CayenneValues {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: CayenneValues = {};
  let at = 0;
  while (at < view.byteLength) {
    if (at + 2 > view.byteLength) throw malformed(field, `ends inside the header at byte ${at}`);
    const channel = view.getUint8(at);
    const code = view.getUint8(at + 1);
    const type = lppTypes.get(code);
    if (!type) throw malformed(field, `byte ${at + 1}: type ${code} is not a Cayenne LPP type`);
    if (at + 2 + type.size > view.byteLength) {
      throw malformed(field, `byte ${at}: the ${type.name} value on channel ${channel} is cut off`);
    }
    values[`${type.name}_${channel}`] = type.read(view, at + 2);
    at += 2 + type.size;
  }
  return values;
}

const senseBoxHomeLength = 12;

/**
 * The senseBox:home LoRa sketch's bytes (sensebox/ttn-osem-integration, lib/decoding/sensebox_home.js and
 * its reference implementation): little-endian temperature ((v / 771) − 18 °C), humidity (v / 100 %),
 * pressure (v / 81.9187 + 300 hPa) as uint16, then illuminance (lx) and UV (µW/cm²) each as a uint8
 * remainder and a uint16 multiple of 255. Rounded to 0.1 as openSenseMap stores them.
 */
export function decodeSenseBoxHome(bytes: Uint8Array, field = ''): SenseBoxHomeValues {
  if (bytes.length !== senseBoxHomeLength) {
    throw malformed(field, `must be ${senseBoxHomeLength} bytes for senseBox:home, not ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tenths = (value: number) => Number(value.toFixed(1));
  const multipleOf255 = (at: number) => view.getUint16(at + 1, true) * 255 + view.getUint8(at);
  return {
    temperature: tenths(view.getUint16(0, true) / 771 - 18),
    humidity: tenths(view.getUint16(2, true) / 100),
    pressure: tenths(view.getUint16(4, true) / 81.9187 + 300),
    illuminance: multipleOf255(6),
    uv: multipleOf255(9),
  };
}
