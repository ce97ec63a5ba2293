import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TallyError } from '../errors.js';
import type { DecodedReading } from './decoders/decoded-reading.js';
import type { Device } from './device.js';
import { doseRate, readingsFromDevice } from './reading.js';

const now = Date.UTC(2026, 10, 26, 4);

const device = (overrides: Partial<Device> = {}): Device => ({
  id: 'device-1',
  ownerId: 'owner-1',
  name: 'Logger',
  model: 'bGeigie Nano',
  sensor: 'LND 7317',
  quantity: 'radiation',
  cpmPerUnit: 334,
  mobility: 'mobile',
  location: null,
  publicLocation: null,
  locationPrecision: 'coarse',
  network: null,
  externalId: null,
  hardwareId: null,
  serial: null,
  payloadFormat: null,
  createdAt: '2026-11-26T00:00:00.000Z',
  updatedAt: '2026-11-26T00:00:00.000Z',
  lastReadingAt: null,
  ...overrides,
});

const counts = (cpm: number, overrides: Partial<DecodedReading> = {}): DecodedReading => ({
  quantity: 'radiation',
  value: cpm,
  unit: 'cpm',
  capturedAt: now - 60_000,
  lat: 35.1,
  lon: 139.2,
  ...overrides,
});

function refusal(work: () => unknown): TallyError {
  try {
    work();
  } catch (error) {
    if (error instanceof TallyError) return error;
    throw error;
  }
  assert.fail('expected a refusal');
}

describe('readings from a device', () => {
  it('convert counts per minute with the device’s own factor and keep the counts', () => {
    const [stored] = readingsFromDevice(device({ cpmPerUnit: 100 }), [counts(35)], now);
    assert.deepEqual([stored?.value, stored?.cpm], [0.35, 35]);
  });

  it('place a fixed device’s readings at its public location whatever the payload says', () => {
    const fixed = device({
      mobility: 'fixed',
      location: { lat: 1, lon: 2 },
      publicLocation: { lat: 1.01, lon: 2.01 },
    });
    const [stored] = readingsFromDevice(fixed, [counts(35)], now);
    assert.deepEqual([stored?.lat, stored?.lon], [1.01, 2.01]);
  });

  it('refuse the whole batch, naming every bad reading', () => {
    const error = refusal(() =>
      readingsFromDevice(
        device(),
        [counts(35), counts(-1), counts(40, { capturedAt: now + 3_600_000 })],
        now,
      ),
    );
    assert.equal(error.code, 'reading_out_of_range');
    assert.deepEqual(
      error.errors?.map((problem) => problem.field),
      ['/readings/1/cpm', '/readings/2/captured_at'],
    );
  });

  it('allow a device clock a few minutes fast', () => {
    assert.equal(readingsFromDevice(device(), [counts(35, { capturedAt: now + 60_000 })], now).length, 1);
  });

  it('refuse counts from a device without a conversion factor', () => {
    assert.equal(
      refusal(() => readingsFromDevice(device({ cpmPerUnit: null }), [counts(35)], now)).code,
      'malformed_readings',
    );
  });

  it('refuse a time before any network existed: an unset device clock', () => {
    const error = refusal(() => readingsFromDevice(device(), [counts(35, { capturedAt: 0 })], now));
    assert.equal(error.errors?.[0]?.field, '/readings/0/captured_at');
  });
});

describe('dose rate', () => {
  it('is 1 µSv/h at 334 CPM on an LND 7317', () => {
    assert.equal(doseRate(334, 334), 1);
  });
});
