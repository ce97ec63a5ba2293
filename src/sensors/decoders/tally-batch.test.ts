import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TallyError } from '../../errors.js';
import { quantityNames } from '../quantities.js';
import { decodeTallyCsv, decodeTallyJsonBatch } from './tally-batch.js';
import { instantExpected } from './values.js';

const at = Date.parse('2026-11-26T04:00:00Z');
const quantityExpected = `must be one of ${quantityNames.join(', ')}`;

const malformed = (...errors: [string, string][]) => ({
  name: 'TallyError',
  code: 'malformed_readings',
  errors: errors.map(([field, message]) => ({ field, message })),
});

const one = (reading: Record<string, unknown>) => decodeTallyJsonBatch({ readings: [reading] });

describe('decodeTallyJsonBatch', () => {
  it('decodes the documented batch', () => {
    const body = {
      readings: [
        { captured_at: '2026-11-26T04:00:00Z', quantity: 'radiation', cpm: 40 },
        {
          captured_at: '2026-11-26T04:00:00Z',
          quantity: 'pm2_5',
          value: 12.5,
          lat: 35.1,
          lon: 139.2,
          altitude: 12,
        },
      ],
    };
    assert.deepEqual(decodeTallyJsonBatch(body), [
      { quantity: 'radiation', value: 40, unit: 'cpm', capturedAt: at },
      { quantity: 'pm2_5', value: 12.5, unit: 'native', capturedAt: at, lat: 35.1, lon: 139.2, altitude: 12 },
    ]);
  });

  it('accepts a bare array of readings', () => {
    assert.deepEqual(
      decodeTallyJsonBatch([{ captured_at: '2026-11-26T04:00:00Z', quantity: 'co2', value: 415 }]),
      [{ quantity: 'co2', value: 415, unit: 'native', capturedAt: at }],
    );
  });

  it('takes a reading with cpm and no quantity for radiation', () => {
    assert.equal(one({ captured_at: '2026-11-26T04:00:00Z', cpm: 40 })[0]?.quantity, 'radiation');
  });

  it('reads a time in another zone as the same instant in UTC', () => {
    assert.equal(
      one({ captured_at: '2026-11-26T13:00:00+09:00', quantity: 'pm10', value: 3 })[0]?.capturedAt,
      at,
    );
  });

  it('cuts fractions finer than a millisecond', () => {
    const [reading] = one({ captured_at: '2026-11-26T04:00:00.123987654Z', quantity: 'pm10', value: 3 });
    assert.equal(reading?.capturedAt, at + 123);
  });

  it('keeps an altitude given without a place', () => {
    const [reading] = one({
      captured_at: '2026-11-26T04:00:00Z',
      quantity: 'pressure',
      value: 990,
      altitude: 310,
    });
    assert.deepEqual(reading, {
      quantity: 'pressure',
      value: 990,
      unit: 'native',
      capturedAt: at,
      altitude: 310,
    });
  });

  it('takes null optional fields as absent', () => {
    const [reading] = one({
      captured_at: '2026-11-26T04:00:00Z',
      cpm: 40,
      lat: null,
      lon: null,
      altitude: null,
    });
    assert.deepEqual(reading, { quantity: 'radiation', value: 40, unit: 'cpm', capturedAt: at });
  });

  it('leaves physical ranges and places to the readings service', () => {
    const [reading] = one({
      captured_at: '2026-11-26T04:00:00Z',
      quantity: 'humidity',
      value: 140,
      lat: 95,
      lon: 200,
    });
    assert.deepEqual([reading?.value, reading?.lat, reading?.lon], [140, 95, 200]);
  });

  it('decodes an empty batch to no readings', () => {
    assert.deepEqual(decodeTallyJsonBatch({ readings: [] }), []);
  });

  it('refuses a body that is neither an object nor an array', () => {
    for (const body of [null, 3, 'readings', true]) {
      assert.throws(
        () => decodeTallyJsonBatch(body),
        malformed(['', 'must be {"readings":[…]} or an array']),
      );
    }
  });

  it('refuses readings that are not an array', () => {
    assert.throws(
      () => decodeTallyJsonBatch({ readings: { cpm: 40 } }),
      malformed(['/readings', 'must be an array of readings']),
    );
  });

  it('refuses more readings than the batch may hold', () => {
    const readings = Array.from({ length: 4 }, () => ({ captured_at: '2026-11-26T04:00:00Z', cpm: 40 }));
    assert.throws(() => decodeTallyJsonBatch({ readings }, 3), {
      name: 'TallyError',
      code: 'too_many_readings',
      errors: [
        { field: '/readings', message: 'must hold at most 3 readings; send the rest in another batch' },
      ],
    });
  });

  it('refuses a reading that is not an object', () => {
    assert.throws(
      () => decodeTallyJsonBatch({ readings: [40] }),
      malformed(['/readings/0', 'must be an object']),
    );
  });

  it('refuses a reading without captured_at', () => {
    assert.throws(() => one({ cpm: 40 }), malformed(['/readings/0/captured_at', 'is required']));
  });

  it('refuses a time without a zone', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00', cpm: 40 }),
      malformed(['/readings/0/captured_at', instantExpected]),
    );
  });

  it('refuses a day the month does not have', () => {
    assert.throws(
      () => one({ captured_at: '2026-02-29T04:00:00Z', cpm: 40 }),
      malformed(['/readings/0/captured_at', instantExpected]),
    );
  });

  it('refuses a time given as a number', () => {
    assert.throws(
      () => one({ captured_at: at, cpm: 40 }),
      malformed(['/readings/0/captured_at', instantExpected]),
    );
  });

  it('refuses a quantity Tally does not store', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00Z', quantity: 'ozone', value: 40 }),
      malformed(['/readings/0/quantity', quantityExpected]),
    );
  });

  it('refuses a value without a quantity', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00Z', value: 12 }),
      malformed(['/readings/0/quantity', 'is required']),
    );
  });

  it('refuses a value written as text', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00Z', quantity: 'pm10', value: '12' }),
      malformed(['/readings/0/value', 'must be a number']),
    );
  });

  it('refuses a reading with neither value nor cpm', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00Z', quantity: 'pm10' }),
      malformed(['/readings/0/value', 'is required (or cpm, for radiation)']),
    );
  });

  it('refuses a reading with both value and cpm', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00Z', value: 0.12, cpm: 40 }),
      malformed(['/readings/0/cpm', 'cannot come with a value: give one']),
    );
  });

  it('refuses cpm for anything but radiation', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00Z', quantity: 'pm10', cpm: 40 }),
      malformed(['/readings/0/cpm', 'is for radiation only']),
    );
  });

  it('refuses a latitude without a longitude', () => {
    assert.throws(
      () => one({ captured_at: '2026-11-26T04:00:00Z', cpm: 40, lat: 35.1 }),
      malformed(['/readings/0/lon', 'is required with lat']),
    );
  });

  it('lists every bad field of every reading', () => {
    const readings = [
      { captured_at: '2026-11-26T04:00:00Z', cpm: 40 },
      { captured_at: 'now', cpm: 40 },
      { captured_at: '2026-11-26T04:00:00Z', cpm: 40 },
      { captured_at: '2026-11-26T04:00:00Z', quantity: 'pm10', value: null, lon: 139.2 },
    ];
    assert.throws(
      () => decodeTallyJsonBatch({ readings }),
      malformed(
        ['/readings/1/captured_at', instantExpected],
        ['/readings/3/value', 'is required (or cpm, for radiation)'],
        ['/readings/3/lat', 'is required with lon'],
      ),
    );
  });

  it('points at the readings of a bare array by their index alone', () => {
    assert.throws(
      () => decodeTallyJsonBatch([{ captured_at: '2026-11-26T04:00:00Z', cpm: 'forty' }]),
      malformed(['/0/cpm', 'must be a number']),
    );
  });

  it('lists at most a hundred bad fields but counts them all', () => {
    const readings = Array.from({ length: 500 }, () => ({ cpm: 40 }));
    assert.throws(
      () => decodeTallyJsonBatch({ readings }),
      (error: unknown) =>
        error instanceof TallyError &&
        error.errors?.length === 100 &&
        error.message === '/readings/0/captured_at: is required (and 499 more)',
    );
  });

  it('either decodes or throws a TallyError, whatever the body', () => {
    const bodies: unknown[] = [
      {},
      { readings: null },
      { readings: [null, [], 'x', { captured_at: {} }] },
      { readings: [{ captured_at: '2026-11-26T04:00:00Z', quantity: 'constructor', value: 1 }] },
      { readings: [{ captured_at: '2026-11-26T04:00:00Z', quantity: '__proto__', value: 1 }] },
      { readings: [{ captured_at: '9'.repeat(1_000_000), cpm: 1 }] },
      [{ captured_at: '+275760-09-13T00:00:00Z', cpm: 1 }],
    ];
    for (const body of bodies) {
      try {
        decodeTallyJsonBatch(body);
      } catch (error) {
        assert.ok(error instanceof TallyError, String(error));
      }
    }
  });
});

describe('decodeTallyCsv', () => {
  it('reads columns in any order', () => {
    const csv = 'value,quantity,captured_at,lon,lat\n12.5,pm2_5,2026-11-26T04:00:00Z,139.2,35.1\n';
    assert.deepEqual(decodeTallyCsv(csv), [
      { quantity: 'pm2_5', value: 12.5, unit: 'native', capturedAt: at, lat: 35.1, lon: 139.2 },
    ]);
  });

  it('reads CRLF line ends and blank trailing lines', () => {
    const csv = 'captured_at,cpm\r\n2026-11-26T04:00:00Z,40\r\n2026-11-26T04:01:00Z,41\r\n\r\n\r\n';
    assert.deepEqual(
      decodeTallyCsv(csv).map((reading) => reading.value),
      [40, 41],
    );
  });

  it('reads quoted fields', () => {
    const csv = '"captured_at","quantity","value"\n"2026-11-26T04:00:00Z","pm10","7"\n';
    assert.equal(decodeTallyCsv(csv)[0]?.value, 7);
  });

  it('keeps commas and doubled quotes inside a quoted field', () => {
    const csv =
      'captured_at,quantity,value\n2026-11-26T04:00:00Z,"pm,10",7\n2026-11-26T04:00:00Z,"pm""10",7\n';
    assert.throws(
      () => decodeTallyCsv(csv),
      malformed(['/rows/2/quantity', quantityExpected], ['/rows/3/quantity', quantityExpected]),
    );
  });

  it('takes empty cells as absent', () => {
    const csv = 'captured_at,quantity,value,cpm,lat,lon,altitude\n2026-11-26T04:00:00Z,,,40,,,\n';
    assert.deepEqual(decodeTallyCsv(csv), [
      { quantity: 'radiation', value: 40, unit: 'cpm', capturedAt: at },
    ]);
  });

  it('ignores a byte-order mark and the case and spacing of header names', () => {
    const csv = '\uFEFFCaptured_At, CPM\n2026-11-26T04:00:00Z, 40\n';
    assert.equal(decodeTallyCsv(csv)[0]?.value, 40);
  });

  it('decodes a header alone to no readings', () => {
    assert.deepEqual(decodeTallyCsv('captured_at,cpm\n'), []);
  });

  it('names a bad cell by its row as numbered in the file, the header being row 1', () => {
    const csv = 'captured_at,quantity,value\n2026-11-26T04:00:00Z,pm10,7\n2026-11-26T04:01:00Z,pm10,seven\n';
    assert.throws(() => decodeTallyCsv(csv), malformed(['/rows/3/value', 'must be a number']));
  });

  it('counts a record whose quoted field spans lines as one row', () => {
    const csv = 'captured_at,quantity,value\n2026-11-26T04:00:00Z,"pm\n10",7\n2026-11-26T04:01:00Z,pm10,x\n';
    assert.throws(
      () => decodeTallyCsv(csv),
      malformed(['/rows/2/quantity', quantityExpected], ['/rows/3/value', 'must be a number']),
    );
  });

  it('refuses a blank line before the last reading, so readings stay numbered as their rows', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,cpm\n2026-11-26T04:00:00Z,40\n\n2026-11-26T04:01:00Z,41\n'),
      malformed(['/rows/3', 'is blank: only the last lines may be']),
    );
  });

  it('refuses NaN as a value', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,quantity,value\n2026-11-26T04:00:00Z,pm10,NaN\n'),
      malformed(['/rows/2/value', 'must be a number']),
    );
  });

  it('refuses a latitude without a longitude', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,cpm,lat,lon\n2026-11-26T04:00:00Z,40,35.1,\n'),
      malformed(['/rows/2/lon', 'is required with lat']),
    );
  });

  it('refuses a header without captured_at', () => {
    assert.throws(
      () => decodeTallyCsv('time,cpm\n'),
      malformed(
        [
          '/rows/1/time',
          'is not a column Tally reads (captured_at, quantity, value, cpm, lat, lon, altitude)',
        ],
        ['/rows/1', 'must name a captured_at column'],
      ),
    );
  });

  it('refuses a header without a value or cpm column', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,quantity\n'),
      malformed(['/rows/1', 'must name a value or cpm column']),
    );
  });

  it('refuses a column named twice', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,cpm,cpm\n'),
      malformed(['/rows/1/cpm', 'is named twice']),
    );
  });

  it('refuses a row with fewer fields than the header', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,quantity,value\n2026-11-26T04:00:00Z,7\n'),
      malformed(['/rows/2', 'has 2 fields where the header names 3']),
    );
  });

  it('refuses a quoted field that never ends', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,cpm\n"2026-11-26T04:00:00Z,40\n'),
      malformed(['/rows/2', 'has a quoted field that never ends']),
    );
  });

  it('refuses text after the closing quote of a field', () => {
    assert.throws(
      () => decodeTallyCsv('captured_at,cpm\n"2026-11-26T04:00:00Z"Z,40\n'),
      malformed(['/rows/2', 'has text after the closing quote of a field']),
    );
  });

  it('refuses an empty text', () => {
    assert.throws(
      () => decodeTallyCsv(''),
      malformed(['/rows/1', 'must name the columns, e.g. captured_at,quantity,value']),
    );
  });

  it('refuses more rows than the batch may hold', () => {
    const csv = `captured_at,cpm\n${'2026-11-26T04:00:00Z,40\n'.repeat(4)}`;
    assert.throws(() => decodeTallyCsv(csv, 3), {
      name: 'TallyError',
      code: 'too_many_readings',
      errors: [{ field: '/rows', message: 'must hold at most 3 readings; send the rest in another batch' }],
    });
  });

  it('either decodes or throws a TallyError, whatever the text', () => {
    const texts: unknown[] = [
      null,
      42,
      '\n\n\n',
      '"',
      '""',
      'captured_at,cpm\n,,,,,\n',
      `captured_at,cpm\n${'x'.repeat(1_000_000)}`,
      `captured_at,cpm\n"${'"'.repeat(100_001)}`,
      'captured_at,cpm\r2026-11-26T04:00:00Z,40\r',
    ];
    for (const text of texts) {
      try {
        decodeTallyCsv(text as string);
      } catch (error) {
        assert.ok(error instanceof TallyError, String(error));
      }
    }
  });
});
