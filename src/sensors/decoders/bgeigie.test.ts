import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type BgeigieLog, BgeigieLogParser, parseBgeigieLog } from './bgeigie.js';

// The sample data sits beside the project: <project>/src/sensors/decoders → <project>/../shared/data/bgeigie.
const dataDir = path.resolve(import.meta.dirname, '../../../../shared/data/bgeigie');

/** Safecast/safecastapi spec/fixtures/bgeigie_nyc.log (code MIT, data CC0): bGeigie Mini, New York 2011, LF. */
const nycFile = 'safecastapi-bgeigie_nyc.log';
/**
 * Safecast/safecastapi spec/fixtures/malformed_bgeigie.log (code MIT, data CC0): Nano 1.3.4, UK 2016, with a
 * bad hemisphere, a lowercase header, trailing junk and two records on one line; LF, CRLF and a lone CR.
 */
const malformedFile = 'safecastapi-malformed_bgeigie.log';
/**
 * Safecast/bGeigieNanoKit sample/204-0920.LOG (Safecast sample data): Nano 1.0.0, 8,512 checksummed lines,
 * CRLF, the last line cut off at power-off.
 */
const nanoFile = 'bGeigieNanoKit-204-0920.LOG';
/** juhele/CzechRad DATA/CzechRad_data_sample.LOG (sample data): `$CZRA1` records, CRLF, `# deadtime=on`. */
const czechRadFile = 'CzechRad-data_sample.LOG';

function read(file: string): string {
  return readFileSync(path.join(dataDir, file), 'utf8');
}

function parseFile(file: string): BgeigieLog {
  return parseBgeigieLog(read(file));
}

/** A record with its checksum: the XOR of every character between `$` and `*`, as two hex digits. */
function record(body: string, hexCase: 'upper' | 'lower' = 'upper'): string {
  let xor = 0;
  for (const char of body) xor ^= char.charCodeAt(0);
  const hex = xor.toString(16).padStart(2, '0');
  return `$${body}*${hexCase === 'upper' ? hex.toUpperCase() : hex}`;
}

interface NanoFields {
  header: string;
  time: string;
  cpm: string;
  lat: string;
  northSouth: string;
  lon: string;
  eastWest: string;
  f13: string;
  f14: string;
}

/** The body of a 1.3.4nano record (from the malformed sample's first line), with chosen fields replaced. */
function nanoBody(fields: Partial<NanoFields> = {}): string {
  const f: NanoFields = {
    header: 'BNRDD',
    time: '2016-09-20T04:09:07Z',
    cpm: '49',
    lat: '5147.8081',
    northSouth: 'N',
    lon: '00010.4778',
    eastWest: 'E',
    f13: '10',
    f14: '83',
    ...fields,
  };
  return `${f.header},2709,${f.time},${f.cpm},3,3419,A,${f.lat},${f.northSouth},${f.lon},${f.eastWest},79.20,A,${f.f13},${f.f14}`;
}

function nanoLog(...lines: string[]): string {
  return ['# NEW LOG', '# format=1.3.4nano', ...lines].join('\r\n');
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) % 4_294_967_296;
    return state / 4_294_967_296;
  };
}

function parseInChunks(text: string, random: () => number, maxChunk: number): BgeigieLog {
  const parser = new BgeigieLogParser();
  const log: BgeigieLog = { lines: [], rejected: [], format: null, deadTime: false, lineCount: 0 };
  const collect = (batch: Pick<BgeigieLog, 'lines' | 'rejected'>) => {
    log.lines.push(...batch.lines);
    log.rejected.push(...batch.rejected);
  };
  for (let at = 0; at < text.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    collect(parser.push(text.slice(at, at + size)));
    at += size;
  }
  collect(parser.end());
  return { ...log, format: parser.format, deadTime: parser.deadTime, lineCount: parser.lineCount };
}

function round5(value: number): number {
  return Number(value.toFixed(5));
}

describe('bGeigie sample files', () => {
  it('covers every file in the shared bGeigie data folder', () => {
    assert.deepEqual(readdirSync(dataDir).sort(), [czechRadFile, nanoFile, malformedFile, nycFile].sort());
  });

  it('accepts all 29 records of the bGeigie Mini NYC drive and rejects none', () => {
    const log = parseFile(nycFile);
    assert.equal(log.lines.length, 29);
    assert.deepEqual(log.rejected, []);
    assert.equal(log.lineCount, 31);
    assert.equal(log.format, '1.0.0');
    assert.equal(log.deadTime, false);
  });

  it('converts the first NYC position 4141.8847,N 07355.3663,W to 41.69808, -73.92277', () => {
    const [first] = parseFile(nycFile).lines;
    assert.equal(first?.line, 3);
    assert.equal(round5(first?.lat ?? Number.NaN), 41.69808);
    assert.equal(round5(first?.lon ?? Number.NaN), -73.92277);
  });

  it('reads an NYC record field by field, its time as UTC', () => {
    const line = parseFile(nycFile).lines.find((l) => l.line === 11);
    assert.deepEqual(line, {
      line: 11,
      header: '$BMRDD',
      deviceSerial: '028',
      capturedAt: Date.UTC(2011, 11, 8, 18, 16, 0),
      cpm: 35,
      rawCpm: 35,
      countsPer5s: 3,
      totalCounts: 35,
      cpmValid: false,
      lat: 41 + 41.7501 / 60,
      lon: -(73 + 55.2022 / 60),
      altitude: 658.4,
      gpsValid: true,
      satellites: null,
      hdop: 3.2,
      text: '$BMRDD,028,2011-12-08T18:16:00Z,35,3,35,V,4141.7501,N,07355.2022,W,658.4,A,3.2,1*59',
    });
  });

  it('reads fields 13 and 14 of a bGeigie Mini as plain HDOP and fix quality, with no satellite count', () => {
    const lines = parseFile(nycFile).lines;
    assert.deepEqual(
      lines.slice(8, 12).map((l) => [l.hdop, l.satellites]),
      [
        [3.2, null],
        [1.5, null],
        [1.5, null],
        [1.5, null],
      ],
    );
  });

  it('accepts 7 records and rejects 4 in the malformed Nano log of 13 lines', () => {
    const log = parseFile(malformedFile);
    assert.equal(log.lines.length, 7);
    assert.equal(log.rejected.length, 4);
    assert.equal(log.lineCount, 13);
    assert.equal(log.format, '1.3.4nano');
  });

  it('rejects each corrupt record of the malformed log with its line number and reason', () => {
    assert.deepEqual(
      parseFile(malformedFile).rejected.map(({ line, reason }) => ({ line, reason })),
      [
        // `00010>5185,U`: the checksum matches, so the logger wrote it so; the first bad field is named.
        { line: 6, reason: 'invalid longitude "00010>5185"' },
        { line: 7, reason: 'unknown header "$BNRdD"' },
        { line: 8, reason: 'junk after checksum: "-"' },
        // Line 9 holds two records; the first is followed by a lone CR and a stray `*` before the second `$`.
        { line: 9, reason: 'junk after checksum: "\\r*"' },
      ],
    );
  });

  it('keeps the rejected text of the malformed log as logged', () => {
    const rejected = parseFile(malformedFile).rejected;
    assert.equal(
      rejected[2]?.text,
      '$BNRDD,2709,2016-09-20T04:09:27Z,47,5,3433,A,5148.0669,N,00010.5485,E,90.30,A,9,89*40-',
    );
    assert.equal(
      rejected[3]?.text,
      '$BNRDD,2709,2016-09-20T04:09:32Z,47,1,3434,A,5148.1327,N,00010.5587,E,92.00,A,9,89*4B\r*',
    );
  });

  it('keeps the second of two records glued on one line, numbered with that line', () => {
    const accepted = parseFile(malformedFile).lines;
    assert.deepEqual(
      accepted.map((l) => l.line),
      [4, 5, 9, 10, 11, 12, 13],
    );
    assert.equal(accepted[2]?.capturedAt, Date.UTC(2016, 8, 20, 4, 9, 37));
    assert.equal(
      accepted[2]?.text,
      '$BNRDD,2709,2016-09-20T04:09:37Z,50,6,3440,A,5148.2003,N,00010.5664,E,93.30,A,9,89*46',
    );
  });

  it('corrects CPM for dead time in the malformed log, which says deadtime=on, and keeps the raw CPM', () => {
    const log = parseFile(malformedFile);
    const [first] = log.lines;
    assert.equal(log.deadTime, true);
    assert.equal(first?.rawCpm, 49);
    assert.equal(first?.cpm, 49 / (1 - 49 * 1.8833e-6));
  });

  it('reads satellites then HDOP×100 in a 1.3.4nano log', () => {
    const [first] = parseFile(malformedFile).lines;
    assert.equal(first?.satellites, 10);
    assert.equal(first?.hdop, 0.83);
  });

  it('accepts 8,511 records of the 1.0.0nano log and rejects 2 of its 8,515 lines', () => {
    const log = parseFile(nanoFile);
    assert.equal(log.lines.length, 8_511);
    assert.equal(log.rejected.length, 2);
    assert.equal(log.lineCount, 8_515);
    assert.equal(log.format, '1.0.0nano');
    assert.equal(log.deadTime, false);
  });

  it('reads HDOP×100 then satellites in a 1.0.0nano log: 132,6 is HDOP 1.32 with 6 satellites', () => {
    const [first] = parseFile(nanoFile).lines;
    assert.equal(first?.line, 3);
    assert.equal(first?.hdop, 1.32);
    assert.equal(first?.satellites, 6);
  });

  it('reads a longitude written without leading zeros (445.6503,E) as 4° 45.6503′', () => {
    const [first] = parseFile(nanoFile).lines;
    assert.equal(round5(first?.lon ?? Number.NaN), 4.76084);
    assert.equal(first?.lat, 52 + 18.7185 / 60);
  });

  it('rejects the cut-off last line of the Nano log as cut off', () => {
    const last = parseFile(nanoFile).rejected.at(-1);
    assert.deepEqual(last, {
      line: 8_515,
      reason: 'line cut off (no checksum)',
      text: '$BNRDD,204,2012-09-21T03:03:48Z,13,0',
    });
  });

  it('rejects the Nano record whose longitude the GPS garbled although its checksum matches', () => {
    const [garbled] = parseFile(nanoFile).rejected;
    assert.equal(garbled?.line, 7_520);
    assert.equal(garbled?.reason, 'invalid longitude "13716.42949612813.30"');
  });

  it('strips CRLF line endings from the text of CRLF records', () => {
    const log = parseFile(nanoFile);
    assert.equal(
      log.lines[0]?.text,
      '$BNRDD,204,2012-09-20T15:13:40Z,11,2,11,V,5218.7185,N,445.6503,E,4.80,A,132,6*64',
    );
    assert.equal(
      log.lines.some((l) => l.text.includes('\r')),
      false,
    );
  });

  it('leaves CPM uncorrected in a log without deadtime=on', () => {
    assert.equal(
      parseFile(nanoFile).lines.every((l) => l.cpm === l.rawCpm),
      true,
    );
  });

  it('accepts all 194 CzechRad records of 197 lines and rejects none', () => {
    const log = parseFile(czechRadFile);
    assert.equal(log.lines.length, 194);
    assert.deepEqual(log.rejected, []);
    assert.equal(log.lineCount, 197);
    assert.equal(log.format, '2.0.0CzechRad');
  });

  it('reads CzechRad fields 13 and 14 as satellites then HDOP×100', () => {
    const [first] = parseFile(czechRadFile).lines;
    assert.equal(first?.satellites, 5);
    assert.equal(first?.hdop, 1.93);
  });

  it('corrects CzechRad CPM for dead time, which its log turns on', () => {
    const log = parseFile(czechRadFile);
    const [first] = log.lines;
    assert.equal(log.deadTime, true);
    assert.equal(first?.rawCpm, 42);
    assert.equal(first?.cpm, 42 / (1 - 42 * 1.8833e-6));
  });

  it('keeps the CzechRad header and the device serial as written, leading zero included', () => {
    const [first] = parseFile(czechRadFile).lines;
    assert.equal(first?.header, '$CZRA1');
    assert.equal(first?.deviceSerial, '0159');
    assert.equal(round5(first?.lat ?? Number.NaN), 50.01849);
    assert.equal(round5(first?.lon ?? Number.NaN), 14.34644);
  });
});

describe('parseBgeigieLog', () => {
  it('accepts a checksum written in lowercase hex', () => {
    const line = record(nanoBody({ cpm: '42' }), 'lower');
    assert.equal(line.slice(-3), '*7a');
    const log = parseBgeigieLog(nanoLog(line));
    assert.equal(log.lines.length, 1);
    assert.deepEqual(log.rejected, []);
  });

  it('rejects a checksum mismatch with a reason naming both values', () => {
    const good = record(nanoBody());
    const bad = good.replace(',49,', ',48,');
    const log = parseBgeigieLog(nanoLog(bad));
    assert.deepEqual(log.rejected, [
      { line: 3, reason: `checksum mismatch: computed 70, written ${good.slice(-2)}`, text: bad },
    ]);
  });

  it('rejects a record without a checksum that is not the last line as missing its checksum', () => {
    const log = parseBgeigieLog(nanoLog(`$${nanoBody()}`, record(nanoBody())));
    assert.deepEqual(
      log.rejected.map(({ line, reason }) => ({ line, reason })),
      [{ line: 3, reason: 'missing checksum' }],
    );
    assert.equal(log.lines.length, 1);
  });

  it('rejects a last line cut inside its checksum as cut off', () => {
    const line = record(nanoBody());
    const log = parseBgeigieLog(nanoLog(line, line.slice(0, -1)));
    assert.deepEqual(
      log.rejected.map(({ line, reason }) => ({ line, reason })),
      [{ line: 4, reason: 'line cut off (incomplete checksum)' }],
    );
  });

  it('reads a negative longitude written with W as west once, never as a double negative', () => {
    const log = parseBgeigieLog(nanoLog(record(nanoBody({ lon: '-07355.3663', eastWest: 'W' }))));
    assert.equal(round5(log.lines[0]?.lon ?? Number.NaN), -73.92277);
  });

  it('lets the hemisphere letter alone give the sign of a negative coordinate', () => {
    const log = parseBgeigieLog(
      nanoLog(
        record(nanoBody({ lat: '-3351.5000', northSouth: 'S', lon: '-15112.6000', eastWest: 'E' })),
        record(nanoBody({ lat: '-3351.5000', northSouth: 'N' })),
      ),
    );
    assert.deepEqual(
      log.lines.map((l) => [round5(l.lat), round5(l.lon)]),
      [
        [-33.85833, 151.21],
        [33.85833, 0.17463],
      ],
    );
  });

  it('rejects a latitude hemisphere that is not N or S', () => {
    const log = parseBgeigieLog(nanoLog(record(nanoBody({ northSouth: 'E' }))));
    assert.equal(log.rejected[0]?.reason, 'latitude hemisphere is not N or S: "E"');
  });

  it('rejects a longitude hemisphere that is not E or W', () => {
    const log = parseBgeigieLog(nanoLog(record(nanoBody({ eastWest: 'U' }))));
    assert.equal(log.rejected[0]?.reason, 'longitude hemisphere is not E or W: "U"');
  });

  it('rejects a latitude beyond 90 degrees', () => {
    const log = parseBgeigieLog(nanoLog(record(nanoBody({ lat: '9100.0000' }))));
    assert.equal(log.rejected[0]?.reason, 'latitude out of range: "9100.0000,N"');
  });

  it('rejects a longitude beyond 180 degrees', () => {
    const log = parseBgeigieLog(nanoLog(record(nanoBody({ lon: '18030.0000', eastWest: 'W' }))));
    assert.equal(log.rejected[0]?.reason, 'longitude out of range: "18030.0000,W"');
  });

  it('rejects minutes of arc at or beyond 60', () => {
    const log = parseBgeigieLog(nanoLog(record(nanoBody({ lat: '5160.0000' }))));
    assert.equal(log.rejected[0]?.reason, 'invalid latitude "5160.0000"');
  });

  it('rejects a time that is not a valid ISO-8601 UTC instant', () => {
    const times = [
      '2012-00-00T00:00:00Z',
      '2016-02-30T04:09:07Z',
      '2016-09-20T04:09:07',
      '2016-09-20 04:09:07Z',
    ];
    const log = parseBgeigieLog(nanoLog(...times.map((time) => record(nanoBody({ time })))));
    assert.deepEqual(
      log.rejected.map((r) => r.reason),
      times.map((time) => `invalid time "${time}"`),
    );
  });

  it('accepts a leap day and a time with fractional seconds and an offset', () => {
    const log = parseBgeigieLog(
      nanoLog(
        record(nanoBody({ time: '2016-02-29T23:59:59Z' })),
        record(nanoBody({ time: '2016-09-20T06:09:07.250+02:00' })),
      ),
    );
    assert.deepEqual(
      log.lines.map((l) => l.capturedAt),
      [Date.UTC(2016, 1, 29, 23, 59, 59), Date.UTC(2016, 8, 20, 4, 9, 7, 250)],
    );
  });

  it('rejects a CPM that is not a non-negative integer', () => {
    const log = parseBgeigieLog(nanoLog(record(nanoBody({ cpm: '-5' })), record(nanoBody({ cpm: '4.5' }))));
    assert.deepEqual(
      log.rejected.map((r) => r.reason),
      ['CPM is not a non-negative integer: "-5"', 'CPM is not a non-negative integer: "4.5"'],
    );
  });

  it('rejects an unknown header, the header check being case-sensitive', () => {
    const log = parseBgeigieLog(
      nanoLog(record(nanoBody({ header: 'bnrdd' })), record(nanoBody({ header: 'GPGGA' }))),
    );
    assert.deepEqual(
      log.rejected.map((r) => r.reason),
      ['unknown header "$bnrdd"', 'unknown header "$GPGGA"'],
    );
  });

  it('rejects a record followed by junk after its checksum', () => {
    const log = parseBgeigieLog(nanoLog(`${record(nanoBody())}junk`));
    assert.deepEqual(
      log.rejected.map(({ line, reason }) => ({ line, reason })),
      [{ line: 3, reason: 'junk after checksum: "junk"' }],
    );
  });

  it('accepts spaces and tabs after the checksum', () => {
    const log = parseBgeigieLog(nanoLog(`${record(nanoBody())} \t`));
    assert.equal(log.lines.length, 1);
  });

  it('parses two records glued on one line separately, both carrying that line number', () => {
    const first = record(nanoBody({ time: '2016-09-20T04:09:07Z' }));
    const second = record(nanoBody({ time: '2016-09-20T04:09:12Z' }));
    const log = parseBgeigieLog(nanoLog(`${first}${second}`));
    assert.deepEqual(
      log.lines.map((l) => [l.line, l.text]),
      [
        [3, first],
        [3, second],
      ],
    );
  });

  it('rejects text before the first record on a line and still reads the record', () => {
    const line = record(nanoBody());
    const log = parseBgeigieLog(nanoLog(`\0\0${line}`, 'garbage'));
    assert.deepEqual(
      log.rejected.map(({ line, reason }) => ({ line, reason })),
      [
        { line: 3, reason: 'text before the record start: "\\u0000\\u0000"' },
        { line: 4, reason: 'not a bGeigie record (no "$")' },
      ],
    );
    assert.equal(log.lines[0]?.text, line);
  });

  it('accepts the 16th field of a $BNXRDD record', () => {
    const log = parseBgeigieLog(nanoLog(record(`${nanoBody({ header: 'BNXRDD' })},1`)));
    assert.equal(log.lines[0]?.header, '$BNXRDD');
    assert.equal(log.lines[0]?.hdop, 0.83);
  });

  it('rejects a record with the wrong number of fields for its header', () => {
    const log = parseBgeigieLog(nanoLog(record(`${nanoBody()},1`)));
    assert.equal(log.rejected[0]?.reason, 'expected 15 fields, found 16');
  });

  it('neither accepts nor rejects blank lines and comments', () => {
    const log = parseBgeigieLog(nanoLog('', '   ', '# a note', record(nanoBody()), '\t'));
    assert.equal(log.lines.length, 1);
    assert.deepEqual(log.rejected, []);
    assert.equal(log.lines[0]?.line, 6);
  });

  it('turns dead-time correction off again at # NEW LOG until the block turns it on', () => {
    const text = [
      '# NEW LOG',
      '# format=1.3.4nano',
      '# deadtime=on',
      record(nanoBody()),
      '# NEW LOG',
      '# format=1.3.4nano',
      record(nanoBody()),
      '# NEW LOG',
      '# deadtime=on',
      record(nanoBody()),
    ].join('\n');
    const log = parseBgeigieLog(text);
    const corrected = 49 / (1 - 49 * 1.8833e-6);
    assert.deepEqual(
      log.lines.map((l) => l.cpm),
      [corrected, 49, corrected],
    );
    assert.equal(log.deadTime, true);
  });

  it('reports the last # format= seen, even when a later # NEW LOG block names none', () => {
    const log = parseBgeigieLog(
      ['# NEW LOG', '# format=1.3.4nano', '# NEW LOG', record(nanoBody())].join('\n'),
    );
    assert.equal(log.format, '1.3.4nano');
  });

  it('reads Nano fields 13 and 14 as HDOP×100 then satellites before firmware 1.0.3, the other way from 1.0.3', () => {
    const line = record(nanoBody({ f13: '132', f14: '6' }));
    const before = parseBgeigieLog(['# NEW LOG', '# format=1.0.2nano', line].join('\n')).lines[0];
    const after = parseBgeigieLog(['# NEW LOG', '# format=1.0.3nano', record(nanoBody())].join('\n'))
      .lines[0];
    assert.deepEqual([before?.hdop, before?.satellites], [1.32, 6]);
    assert.deepEqual([after?.satellites, after?.hdop], [10, 0.83]);
  });

  it('reads a Nano log without a # format= line as current firmware: satellites then HDOP×100', () => {
    const log = parseBgeigieLog(record(nanoBody()));
    assert.deepEqual([log.lines[0]?.satellites, log.lines[0]?.hdop], [10, 0.83]);
  });

  it('counts LF and CRLF as line endings but not a lone CR', () => {
    const line = record(nanoBody());
    const log = parseBgeigieLog(`${line}\r\n${line}\n${line}\r${line}\r\n`);
    assert.equal(log.lineCount, 3);
    assert.deepEqual(
      log.lines.map((l) => l.line),
      [1, 2, 3, 3],
    );
  });

  it('counts a last line without a line ending', () => {
    const line = record(nanoBody());
    assert.equal(parseBgeigieLog(`${line}\n${line}`).lineCount, 2);
    assert.equal(parseBgeigieLog(`${line}\n${line}\n`).lineCount, 2);
    assert.equal(parseBgeigieLog('').lineCount, 0);
  });

  it('cuts the text of a rejected line to 200 characters', () => {
    const log = parseBgeigieLog(`$BNRDD,${'9'.repeat(500)}`);
    assert.equal(log.rejected[0]?.text.length, 200);
  });

  it('never throws on damaged input, and numbers every rejection within the file', () => {
    const random = seededRandom(42);
    const good = record(nanoBody());
    const alphabet = '$*,#\r\n\t 0123456789ABEFNSVWZT.-:+bnrdd\0';
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let i = 0; i < 20; i++) {
        if (random() < 0.3) text += good;
        else if (random() < 0.5) {
          const at = Math.floor(random() * good.length);
          const char = alphabet[Math.floor(random() * alphabet.length)] ?? '';
          text += good.slice(0, at) + char + good.slice(at + 1);
        } else {
          for (let j = Math.floor(random() * 30); j > 0; j--)
            text += alphabet[Math.floor(random() * alphabet.length)];
        }
      }
      const log = parseBgeigieLog(text);
      for (const entry of [...log.lines, ...log.rejected]) {
        assert.ok(entry.line >= 1 && entry.line <= log.lineCount);
      }
      for (const rejected of log.rejected)
        assert.ok(rejected.text.length <= 200 && rejected.reason.length > 0);
    }
  });
});

describe('BgeigieLogParser', () => {
  it('gives the same result fed in random-sized pieces as in one string, for every sample file', () => {
    const random = seededRandom(7);
    for (const file of [nycFile, malformedFile, nanoFile, czechRadFile]) {
      const text = read(file);
      for (const maxChunk of [3, 97, 4_096]) {
        assert.deepEqual(
          parseInChunks(text, random, maxChunk),
          parseBgeigieLog(text),
          `${file} in ≤ ${maxChunk}`,
        );
      }
    }
  });

  it('treats a CRLF split between two pieces as one line ending', () => {
    const line = record(nanoBody());
    const parser = new BgeigieLogParser();
    const first = parser.push(`${line}\r`);
    const second = parser.push(`\n${line}\r\n`);
    assert.deepEqual(first.lines, []);
    assert.deepEqual(
      second.lines.map((l) => [l.line, l.text]),
      [
        [1, line],
        [2, line],
      ],
    );
    assert.equal(parser.lineCount, 2);
  });

  it('returns complete lines from push and the unterminated last line from end', () => {
    const line = record(nanoBody());
    const parser = new BgeigieLogParser();
    assert.equal(parser.push(`# NEW LOG\n# deadtime=on\n${line}\n${line.slice(0, 40)}`).lines.length, 1);
    assert.equal(parser.deadTime, true);
    const last = parser.end();
    assert.deepEqual(last.lines, []);
    assert.deepEqual(last.rejected, [
      { line: 4, reason: 'line cut off (no checksum)', text: line.slice(0, 40) },
    ]);
    assert.equal(parser.lineCount, 4);
  });
});
