import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { errorCatalog, TallyError } from '../../errors.js';
import { decodeAirrohrPush } from './airrohr.js';
import type { DecodedReading } from './decoded-reading.js';
import { decodeSafecastDevice } from './safecast-device.js';
import { decodeTallyCsv, decodeTallyJsonBatch } from './tally-batch.js';
import { decodeCayenneLpp, decodeSenseBoxHome, decodeTtnV2Uplink, decodeTtnV3Uplink } from './ttn.js';

const runs = { numRuns: 200, seed: 20261208 };

/** Either readings or a 4xx TallyError from the catalog; returns the readings, or null when refused. */
function readingsOrProblem<T>(decode: () => T): T | null {
  try {
    return decode();
  } catch (error) {
    assert.ok(error instanceof TallyError, `threw ${String(error)}`);
    assert.ok(Object.hasOwn(errorCatalog, error.code));
    assert.ok(error.status >= 400 && error.status < 500, `${error.code} is ${error.status}`);
    return null;
  }
}

function sane(reading: DecodedReading): void {
  assert.ok(Number.isFinite(reading.value), `value ${reading.value}`);
  assert.ok(Number.isFinite(reading.capturedAt), `capturedAt ${reading.capturedAt}`);
  for (const coordinate of [reading.lat, reading.lon, reading.altitude]) {
    assert.ok(coordinate == null || Number.isFinite(coordinate));
  }
}

/** A cell of a CSV row or a JSON value: mostly near-valid, sometimes anything. */
const cellText = fc.oneof(
  fc.constantFrom(
    '2026-11-26T04:00:00Z',
    '2026-11-26T04:00:00+03:00',
    '2026-02-30T04:00:00Z',
    '2026-11-26',
    'pm2_5',
    'radiation',
    'temperature',
    'Pm2_5',
    '12.5',
    '1e400',
    '-0',
    'NaN',
    '',
    ' ',
    '"',
    '""',
    ',',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

const header = fc.constantFrom(
  'captured_at,quantity,value',
  'captured_at,cpm,lat,lon',
  'captured_at,quantity,value,lat,lon,altitude',
  'value,captured_at',
  'captured_at,foo',
);
const goodRow = fc.constantFrom('2026-11-26T04:00:00Z,pm2_5,12.5', '2026-11-26T04:05:00Z,temperature,-3');

const csv = fc.oneof(
  fc
    .tuple(
      header,
      fc.array(
        fc.oneof(
          goodRow,
          fc.array(cellText, { maxLength: 7 }).map((cells) => cells.join(',')),
        ),
        { maxLength: 12 },
      ),
      fc.constantFrom('\n', '\r\n'),
    )
    .map(([head, rows, newline]) => [head, ...rows].join(newline)),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

describe('Tally CSV batches of any content', () => {
  it('are all read or refused as a whole with a problem naming a row', () => {
    fc.assert(
      fc.property(csv, (text) => {
        try {
          const readings = decodeTallyCsv(text);
          readings.forEach(sane);
        } catch (error) {
          assert.ok(error instanceof TallyError, `threw ${String(error)}`);
          assert.ok(['malformed_readings', 'too_many_readings'].includes(error.code), error.code);
          assert.match(error.message, /\S/);
          for (const { field } of error.errors ?? []) assert.match(field, /^(\/rows(\/\d+)?(\/.*)?)?$/);
        }
      }),
      runs,
    );
  });

  it('with only good rows keep every one of them', () => {
    fc.assert(
      fc.property(fc.array(goodRow, { maxLength: 30 }), (rows) => {
        assert.equal(decodeTallyCsv(['captured_at,quantity,value', ...rows].join('\n')).length, rows.length);
      }),
      runs,
    );
  });

  it('name the row of one bad reading among good ones', () => {
    fc.assert(
      fc.property(
        fc.array(goodRow, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.constantFrom(
          'x,pm2_5,1',
          '2026-11-26T04:00:00Z,loudness,1',
          '2026-11-26T04:00:00Z,pm2_5,many',
          '2026-11-26T04:00:00Z,pm2_5',
        ),
        (rows, at, bad) => {
          const index = at % (rows.length + 1);
          const all = [...rows.slice(0, index), bad, ...rows.slice(index)];
          assert.throws(
            () => decodeTallyCsv(['captured_at,quantity,value', ...all].join('\n')),
            (error: TallyError) =>
              (error.errors ?? []).some(({ field }) => field.startsWith(`/rows/${index + 2}`)),
          );
        },
      ),
      runs,
    );
  });
});

/** A reading object with the right keys holding values of any JSON type. */
const readingObject = fc.dictionary(
  fc.constantFrom('captured_at', 'quantity', 'value', 'cpm', 'lat', 'lon', 'altitude', '__proto__', 'extra'),
  fc.oneof(cellText, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue()),
  { maxKeys: 7 },
);

describe('Tally JSON batches of any shape', () => {
  it('are all read or refused as a whole with a problem naming the reading', () => {
    const bodies = fc.oneof(
      fc.array(fc.oneof(readingObject, fc.jsonValue()), { maxLength: 10 }).map((readings) => ({ readings })),
      fc.array(readingObject, { maxLength: 10 }),
      fc.anything(),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const readings = readingsOrProblem(() => decodeTallyJsonBatch(body));
        if (readings === null) return;
        readings.forEach(sane);
        const items = Array.isArray(body) ? body : (body as { readings: unknown[] }).readings;
        assert.equal(readings.length, items.length);
      }),
      runs,
    );
  });
});

describe('Sensor network uplinks of any shape', () => {
  const anyBytes = fc.uint8Array({ maxLength: 64 });

  it('Cayenne LPP and senseBox:home bytes decode or are refused, never crash', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        readingsOrProblem(() => decodeCayenneLpp(bytes));
        readingsOrProblem(() => decodeSenseBoxHome(bytes));
      }),
      runs,
    );
  });

  const ttnV3 = fc.record(
    {
      end_device_ids: fc.oneof(
        fc.record(
          {
            device_id: cellText,
            application_ids: fc.record({ application_id: cellText }),
            dev_eui: cellText,
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      uplink_message: fc.oneof(
        fc.record(
          {
            received_at: cellText,
            frm_payload: fc.oneof(
              anyBytes.map((bytes) => Buffer.from(bytes).toString('base64')),
              cellText,
            ),
            decoded_payload: fc.dictionary(
              fc.string({ maxLength: 20 }),
              fc.oneof(fc.double(), fc.jsonValue()),
            ),
            f_port: fc.oneof(fc.integer(), cellText),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
    },
    { requiredKeys: [] },
  );

  it('The Things Network v3 and v2 uplinks give sane readings or a 4xx problem', () => {
    for (const format of [undefined, 'cayenne-lpp', 'sensebox-home'] as const) {
      fc.assert(
        fc.property(fc.oneof(ttnV3, fc.anything()), (body) => {
          const v3 = readingsOrProblem(() => decodeTtnV3Uplink(body, { payloadFormat: format }));
          v3?.readings.forEach(sane);
          const v2 = readingsOrProblem(() => decodeTtnV2Uplink(body, { payloadFormat: format }));
          v2?.readings.forEach(sane);
        }),
        { ...runs, numRuns: 100 },
      );
    }
  });

  it('Safecast device records give sane readings or a 4xx problem', () => {
    const record = fc.dictionary(
      fc.constantFrom(
        'device_urn',
        'device',
        'when_captured',
        'loc_lat',
        'loc_lon',
        'loc_alt',
        'lnd_7318u',
        'lnd_7128ec',
        'pms_pm02_5',
        'env_temp',
        'bat_voltage',
        'env_press',
      ),
      fc.oneof(cellText, fc.double(), fc.integer(), fc.jsonValue()),
    );
    fc.assert(
      fc.property(fc.oneof(record, fc.anything()), (body) => {
        readingsOrProblem(() => decodeSafecastDevice(body))?.readings.forEach(sane);
      }),
      runs,
    );
  });

  it('Sensor.Community pushes give sane readings or a 4xx problem', () => {
    const push = fc.record(
      {
        esp8266id: fc.oneof(cellText, fc.integer()),
        software_version: cellText,
        sensordatavalues: fc.oneof(
          fc.array(
            fc.record(
              {
                value_type: fc.oneof(
                  fc.constantFrom('SDS_P1', 'SDS_P2', 'BME280_temperature', 'BME280_pressure', 'humidity'),
                  cellText,
                  fc.integer(),
                ),
                value: fc.oneof(cellText, fc.double(), fc.jsonValue()),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 6 },
          ),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(push, fc.anything()), fc.option(cellText, { nil: undefined }), (body, sensor) => {
        readingsOrProblem(() =>
          decodeAirrohrPush(body, sensor, Date.parse('2026-11-26T04:00:00Z')),
        )?.readings.forEach(sane);
      }),
      runs,
    );
  });
});
