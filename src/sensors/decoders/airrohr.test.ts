import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TallyError } from '../../errors.js';
import { decodeAirrohrPush } from './airrohr.js';

// A Sensor.Community (airrohr) push body as the firmware sends it, from openSenseMap-API's test data (MIT).
const documentedPush = {
  software_version: 'NRZ-2018-121C',
  sensordatavalues: [
    { value_type: 'SDS_P1', value: '1.87' },
    { value_type: 'SDS_P2', value: '1.05' },
    { value_type: 'BMP_pressure', value: '100659.00' },
    { value_type: 'BMP_temperature', value: '26.80' },
  ],
};

const receivedAt = Date.parse('2026-11-26T04:00:00Z');
const station = 'esp8266-12345678';

function push(...values: [string, unknown][]): Record<string, unknown> {
  return {
    software_version: 'NRZ-2020-129',
    sensordatavalues: values.map(([value_type, value]) => ({ value_type, value })),
  };
}

const valuesOf = (body: unknown) =>
  decodeAirrohrPush(body, station, receivedAt).readings.map(({ quantity, value }) => [quantity, value]);

const malformed = (field: string, message: string) => ({
  name: 'TallyError',
  code: 'malformed_readings',
  errors: [{ field, message }],
});

describe('decodeAirrohrPush', () => {
  it('decodes the documented push exactly', () => {
    assert.deepEqual(decodeAirrohrPush(documentedPush, station, receivedAt).readings, [
      { quantity: 'pm2_5', value: 1.05, unit: 'native', capturedAt: receivedAt },
      { quantity: 'pm10', value: 1.87, unit: 'native', capturedAt: receivedAt },
      { quantity: 'temperature', value: 26.8, unit: 'native', capturedAt: receivedAt },
      { quantity: 'pressure', value: 1006.59, unit: 'native', capturedAt: receivedAt },
    ]);
  });

  it('names the station by its X-Sensor header', () => {
    assert.deepEqual(decodeAirrohrPush(documentedPush, 'esp32-a1b2c3', receivedAt).device, {
      network: 'airrohr',
      externalId: 'esp32-a1b2c3',
    });
  });

  it('names the station by the body’s esp8266id when the header is missing', () => {
    const body = { esp8266id: '12345678', ...documentedPush };
    assert.equal(decodeAirrohrPush(body, undefined, receivedAt).device.externalId, 'esp8266-12345678');
  });

  it('times every reading by when the push was received', () => {
    for (const reading of decodeAirrohrPush(documentedPush, station, receivedAt).readings) {
      assert.equal(reading.capturedAt, receivedAt);
    }
  });

  it('reads PM1, PM2.5 and PM10 from a Plantower sensor', () => {
    assert.deepEqual(valuesOf(push(['PMS_P0', '3'], ['PMS_P2', '5'], ['PMS_P1', '7'])), [
      ['pm1', 3],
      ['pm2_5', 5],
      ['pm10', 7],
    ]);
  });

  it('reads a Sensirion SPS30 and leaves its PM4 and particle counts out', () => {
    const body = push(
      ['SPS30_P0', '1.1'],
      ['SPS30_P2', '2.2'],
      ['SPS30_P4', '3.3'],
      ['SPS30_P1', '4.4'],
      ['SPS30_N05', '9'],
    );
    assert.deepEqual(valuesOf(body), [
      ['pm1', 1.1],
      ['pm2_5', 2.2],
      ['pm10', 4.4],
    ]);
  });

  it('reads a DHT22’s plain temperature and humidity', () => {
    assert.deepEqual(valuesOf(push(['temperature', '4.30'], ['humidity', '88.20'])), [
      ['temperature', 4.3],
      ['humidity', 88.2],
    ]);
  });

  it('converts a BME280’s pressure from Pa to hPa', () => {
    assert.deepEqual(valuesOf(push(['BME280_pressure', '101325'])), [['pressure', 1013.25]]);
  });

  it('reads temperature, humidity and pressure from a sensor prefix not listed', () => {
    const body = push(
      ['BME680_temperature', '20.5'],
      ['BME680_humidity', '45'],
      ['BME680_pressure', '99000'],
    );
    assert.deepEqual(valuesOf(body), [
      ['temperature', 20.5],
      ['humidity', 45],
      ['pressure', 990],
    ]);
  });

  it('does not take a PPD42NS’s particle counts for PM mass', () => {
    assert.deepEqual(valuesOf(push(['PPD_P1', '1200'], ['SDS_P1', '8'])), [['pm10', 8]]);
  });

  it('reads the DNMS noise level and the SCD30’s CO₂', () => {
    const body = push(['DNMS_noise_LAeq', '54.3'], ['DNMS_noise_LA_max', '70'], ['SCD30_co2_ppm', '612']);
    assert.deepEqual(valuesOf(body), [
      ['co2', 612],
      ['noise', 54.3],
    ]);
  });

  it('keeps the BME280’s temperature when a station has two temperature sensors', () => {
    assert.deepEqual(valuesOf(push(['temperature', '19'], ['BME280_temperature', '21'])), [
      ['temperature', 21],
    ]);
  });

  it('places the readings at the station’s GPS fix', () => {
    const body = push(
      ['SDS_P1', '8'],
      ['GPS_lat', '48.778044'],
      ['GPS_lon', '9.179749'],
      ['GPS_height', '262.50'],
    );
    const [reading] = decodeAirrohrPush(body, station, receivedAt).readings;
    assert.deepEqual([reading?.lat, reading?.lon, reading?.altitude], [48.778044, 9.179749, 262.5]);
  });

  it('gives no place for the firmware’s no-fix values', () => {
    const body = push(
      ['SDS_P1', '8'],
      ['GPS_lat', '-200.000000'],
      ['GPS_lon', '-200.000000'],
      ['GPS_height', '-1000'],
    );
    assert.equal('lat' in (decodeAirrohrPush(body, station, receivedAt).readings[0] ?? {}), false);
  });

  it('reads values sent as JSON numbers too', () => {
    assert.deepEqual(valuesOf(push(['SDS_P1', 8.5])), [['pm10', 8.5]]);
  });

  it('ignores the Wi-Fi signal, sample counts and timings', () => {
    const body = push(
      ['SDS_P1', '8'],
      ['samples', '880000'],
      ['min_micro', '20'],
      ['signal', '-71'],
      ['GPS_date', '11/26/2026'],
    );
    assert.deepEqual(valuesOf(body), [['pm10', 8]]);
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [null, 1, 'x', []]) {
      assert.throws(
        () => decodeAirrohrPush(body, station, receivedAt),
        malformed('', 'must be a JSON object'),
      );
    }
  });

  it('refuses a body without sensordatavalues', () => {
    assert.throws(
      () => decodeAirrohrPush({ software_version: 'NRZ-2020-129' }, station, receivedAt),
      malformed('/sensordatavalues', 'must be an array'),
    );
  });

  it('refuses an entry that is not an object', () => {
    const body = { sensordatavalues: [{ value_type: 'SDS_P1', value: '1' }, 'SDS_P2=2'] };
    assert.throws(
      () => decodeAirrohrPush(body, station, receivedAt),
      malformed('/sensordatavalues/1', 'must be an object'),
    );
  });

  it('refuses an entry without a value_type', () => {
    assert.throws(
      () => decodeAirrohrPush({ sensordatavalues: [{ value: '1' }] }, station, receivedAt),
      malformed('/sensordatavalues/0/value_type', 'must be a string'),
    );
  });

  it('refuses a known value that is not a number', () => {
    assert.throws(
      () => decodeAirrohrPush(push(['SDS_P1', '8'], ['SDS_P2', 'nan']), station, receivedAt),
      malformed('/sensordatavalues/1/value', 'must be a number'),
    );
  });

  it('refuses a push with no value Tally reads', () => {
    assert.throws(
      () => decodeAirrohrPush(push(['signal', '-71']), station, receivedAt),
      malformed('/sensordatavalues', 'carries no value Tally reads'),
    );
  });

  it('refuses a push that names no station', () => {
    assert.throws(
      () => decodeAirrohrPush(documentedPush, undefined, receivedAt),
      malformed('header/X-Sensor', 'must name the station (esp8266-…), or the body must give esp8266id'),
    );
  });

  it('refuses an esp8266id that is not a chip id', () => {
    assert.throws(
      () => decodeAirrohrPush({ ...documentedPush, esp8266id: { id: 1 } }, '  ', receivedAt),
      malformed('/esp8266id', 'must be the chip id, e.g. 12345678'),
    );
  });

  it('refuses an X-Sensor header too long to be a station’s name', () => {
    assert.throws(
      () => decodeAirrohrPush(documentedPush, `esp8266-${'1'.repeat(300)}`, receivedAt),
      malformed('header/X-Sensor', 'must be at most 255 characters'),
    );
  });

  it('either decodes or throws a TallyError, whatever the body', () => {
    const bodies: unknown[] = [
      {},
      { sensordatavalues: null },
      { sensordatavalues: [null] },
      { sensordatavalues: [{ value_type: 'SDS_P1', value: null }] },
      { sensordatavalues: [{ value_type: 'SDS_P1', value: '1'.repeat(1_000_000) }] },
      {
        sensordatavalues: [
          { value_type: 'constructor', value: '1' },
          { value_type: '__proto__', value: '1' },
        ],
      },
      { sensordatavalues: Array.from({ length: 100_000 }, () => ({ value_type: 'SDS_P1', value: '1' })) },
    ];
    for (const body of bodies) {
      try {
        decodeAirrohrPush(body, station, receivedAt);
      } catch (error) {
        assert.ok(error instanceof TallyError, String(error));
      }
    }
  });
});
