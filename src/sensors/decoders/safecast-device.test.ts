import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TallyError } from '../../errors.js';
import { decodeSafecastDevice } from './safecast-device.js';
import { instantExpected } from './values.js';

const samples = path.resolve(import.meta.dirname, '../../../../shared/data/sensors');
// Real-time Safecast device records, from Safecast/safecastapi spec/fixtures/files/device_stories.json
// (code MIT, data CC0): an Airnote with a fix, an Airnote without one, and an nGeigie.
const records = (): Record<string, unknown>[] =>
  JSON.parse(readFileSync(path.join(samples, 'safecastapi-device_stories.json'), 'utf8'));
const record = (index: number) => records()[index];

const capturedAt = Date.parse('2026-11-26T04:00:00Z');
const minimal = (values: Record<string, unknown>) => ({
  device_urn: 'geigiecast:62007',
  when_captured: '2026-11-26T04:00:00Z',
  ...values,
});
const valuesOf = (body: unknown) =>
  decodeSafecastDevice(body).readings.map(({ quantity, value, unit }) => [quantity, value, unit]);

const malformed = (field: string, message: string) => ({
  name: 'TallyError',
  code: 'malformed_readings',
  errors: [{ field, message }],
});

describe('decodeSafecastDevice', () => {
  it('decodes every record of the sample, named by its device_urn', () => {
    const all = records();
    assert.equal(all.length, 3);
    for (const body of all) {
      const { device, readings } = decodeSafecastDevice(body);
      assert.deepEqual(device, { network: 'safecast', externalId: body.device_urn });
      assert.ok(readings.length > 0);
    }
  });

  it('reads the Airnote’s particulate matter, air, pressure in hPa and battery at its place', () => {
    const at = Date.parse('2021-01-17T22:15:38Z');
    const place = { lat: 49.2652225, lon: -123.15923828125 };
    const { readings } = decodeSafecastDevice(record(0));
    const pressure = readings.find((reading) => reading.quantity === 'pressure');
    assert.ok(Math.abs((pressure?.value ?? 0) - 1028.9791) < 1e-9);
    assert.deepEqual(
      readings.filter((reading) => reading.quantity !== 'pressure'),
      [
        { quantity: 'pm1', value: 5.7070312, unit: 'native', capturedAt: at, ...place },
        { quantity: 'pm2_5', value: 9.4140625, unit: 'native', capturedAt: at, ...place },
        { quantity: 'pm10', value: 11.0390625, unit: 'native', capturedAt: at, ...place },
        { quantity: 'temperature', value: 8.010197, unit: 'native', capturedAt: at, ...place },
        { quantity: 'humidity', value: 79.00355, unit: 'native', capturedAt: at, ...place },
        { quantity: 'battery', value: 3.21875, unit: 'native', capturedAt: at, ...place },
      ],
    );
  });

  it('gives no place to the readings of a record without loc_lat and loc_lon', () => {
    for (const reading of decodeSafecastDevice(record(1)).readings) assert.equal('lat' in reading, false);
  });

  it('takes the air’s temperature, not the case’s own dev_temp', () => {
    const temperature = decodeSafecastDevice(record(1)).readings.find((r) => r.quantity === 'temperature');
    assert.equal(temperature?.value, 0.01);
  });

  it('reads the nGeigie’s tube as radiation in counts per minute', () => {
    assert.deepEqual(decodeSafecastDevice(record(2)).readings, [
      {
        quantity: 'radiation',
        value: 40,
        unit: 'cpm',
        capturedAt: Date.parse('2021-02-17T03:37:29Z'),
        lat: 37.4932,
        lon: 139.93305,
      },
    ]);
  });

  it('keeps the altitude when the record gives loc_alt', () => {
    const [reading] = decodeSafecastDevice(
      minimal({ lnd_7318u: 33, loc_lat: 37.5, loc_lon: 140, loc_alt: 212 }),
    ).readings;
    assert.deepEqual([reading?.lat, reading?.lon, reading?.altitude], [37.5, 140, 212]);
  });

  it('reports the LND 7318 when a device has two tubes', () => {
    assert.deepEqual(valuesOf(minimal({ lnd_7128ec: 12, lnd_7318u: 40 })), [['radiation', 40, 'cpm']]);
  });

  it('reads an energy-compensated tube alone', () => {
    assert.deepEqual(valuesOf(minimal({ lnd_7128ec: 12 })), [['radiation', 12, 'cpm']]);
  });

  it('reads the optical particle counter when there is no Plantower sensor', () => {
    assert.deepEqual(valuesOf(minimal({ opc_pm01_0: 1.5, opc_pm02_5: 2.5, opc_pm10_0: 9 })), [
      ['pm1', 1.5, 'native'],
      ['pm2_5', 2.5, 'native'],
      ['pm10', 9, 'native'],
    ]);
  });

  it('skips fields that are null', () => {
    assert.deepEqual(valuesOf(minimal({ env_temp: null, env_humid: 50 })), [['humidity', 50, 'native']]);
  });

  it('times the readings by when_captured', () => {
    assert.equal(decodeSafecastDevice(minimal({ env_temp: 3 })).readings[0]?.capturedAt, capturedAt);
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [null, 7, 'record', records()]) {
      assert.throws(() => decodeSafecastDevice(body), malformed('', 'must be a JSON object'));
    }
  });

  it('refuses a record without a device_urn', () => {
    assert.throws(
      () => decodeSafecastDevice({ when_captured: '2026-11-26T04:00:00Z', env_temp: 3 }),
      malformed('/device_urn', 'is required'),
    );
  });

  it('refuses a record without when_captured', () => {
    assert.throws(
      () => decodeSafecastDevice({ device_urn: 'ngeigie:101', lnd_7318u: 40 }),
      malformed('/when_captured', 'is required'),
    );
  });

  it('refuses a when_captured that is not an RFC 3339 time with a zone', () => {
    assert.throws(
      () => decodeSafecastDevice(minimal({ when_captured: 1613533049, lnd_7318u: 40 })),
      malformed('/when_captured', instantExpected),
    );
  });

  it('refuses a known field that is not a number', () => {
    assert.throws(
      () => decodeSafecastDevice(minimal({ env_temp: 'warm' })),
      malformed('/env_temp', 'must be a number'),
    );
  });

  it('refuses a record with no value Tally reads', () => {
    assert.throws(
      () => decodeSafecastDevice(minimal({ dev_temp: 11.18, dev_bars: 2 })),
      malformed('', 'carries no value Tally reads'),
    );
  });

  it('either decodes or throws a TallyError, whatever the body', () => {
    const bodies: unknown[] = [
      {},
      minimal({ lnd_7318u: [40] }),
      minimal({ lnd_7318u: 40, loc_lat: 'north', loc_lon: {} }),
      minimal({ env_press: '1'.repeat(100_000) }),
      { device_urn: 'x', when_captured: 'x'.repeat(1_000_000) },
    ];
    for (const body of bodies) {
      try {
        decodeSafecastDevice(body);
      } catch (error) {
        assert.ok(error instanceof TallyError, String(error));
      }
    }
  });
});
