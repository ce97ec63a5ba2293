import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type BgeigieLog, BgeigieLogParser, parseBgeigieLog } from './bgeigie.js';

/** Fixed so that a failure reproduces; fast-check prints the seed and the shrunk counterexample. */
const runs = { numRuns: 200, seed: 20261208 };

/** Real records of a bGeigie Nano 1.3.4 drive (the checksums are the logger's own). */
const goodRecords = [
  '$BNRDD,2709,2016-09-20T04:09:27Z,47,5,3433,A,5148.0669,N,00010.5485,E,90.30,A,9,89*40',
  '$BNRDD,2709,2016-09-20T04:09:32Z,47,1,3434,A,5148.1327,N,00010.5587,E,92.00,A,9,89*4B',
  '$BNRDD,2709,2016-09-20T04:09:37Z,50,6,3440,A,5148.2003,N,00010.5664,E,93.30,A,9,89*46',
];

/** One line of a log: a real record, a comment, a mutated record or junk, with no line ending inside. */
const anyLine = fc.oneof(
  fc.constantFrom(...goodRecords),
  fc.constantFrom('# NEW LOG', '# format=1.3.4nano', '# deadtime=on', ''),
  fc
    .tuple(fc.constantFrom(...goodRecords), fc.nat(), fc.string({ unit: 'binary', maxLength: 3 }))
    .map(([record, at, insert]) => {
      const i = at % record.length;
      return record.slice(0, i) + insert + record.slice(i + 1);
    }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
);

const lineEndings = fc.constantFrom('\n', '\r\n');

const logs = fc
  .array(fc.tuple(anyLine, lineEndings), { maxLength: 40 })
  .map((lines) => lines.map(([line, ending]) => line.replace(/[\r\n]/g, ' ') + ending).join(''));

/** Every line is accounted for exactly once: a reading, a rejection with its number and reason, or nothing. */
function assertAccountedFor(log: BgeigieLog): void {
  const seen = new Set<number>();
  for (const entry of [...log.lines, ...log.rejected]) {
    assert.ok(
      Number.isInteger(entry.line) && entry.line >= 1 && entry.line <= log.lineCount,
      `line ${entry.line}`,
    );
    seen.add(entry.line);
  }
  for (const rejected of log.rejected) {
    assert.equal(typeof rejected.reason, 'string');
    assert.ok(rejected.reason.length > 0);
    assert.ok(rejected.text.length <= 200);
  }
  for (const line of log.lines) {
    assert.ok(Number.isFinite(line.capturedAt));
    assert.ok(Number.isFinite(line.lat) && line.lat >= -90 && line.lat <= 90, `lat ${line.lat}`);
    assert.ok(Number.isFinite(line.lon) && line.lon >= -180 && line.lon <= 180, `lon ${line.lon}`);
    assert.ok(!Number.isNaN(line.rawCpm));
  }
}

describe('bGeigie logs of any content', () => {
  it('are parsed without throwing, every line a reading, a numbered rejection with a reason, or a comment', () => {
    fc.assert(
      fc.property(logs, (text) => {
        assertAccountedFor(parseBgeigieLog(text));
      }),
      runs,
    );
  });

  it('keep every good record among bad lines, at its own line number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...goodRecords), fc.string({ unit: 'binary', maxLength: 80 })), {
          maxLength: 30,
        }),
        (lines) => {
          const clean = lines.map((line) => line.replace(/[\r\n]/g, ' '));
          const log = parseBgeigieLog(clean.join('\n'));
          const expected = clean.flatMap((line, i) => (goodRecords.includes(line) ? [i + 1] : []));
          const kept = log.lines.filter((line) => goodRecords.includes(line.text)).map((line) => line.line);
          assert.deepEqual(kept, expected);
        },
      ),
      runs,
    );
  });

  it('give the same readings and rejections whatever chunks they arrive in', () => {
    fc.assert(
      fc.property(
        logs,
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        (text, sizes) => {
          const parser = new BgeigieLogParser();
          const lines: unknown[] = [];
          const rejected: unknown[] = [];
          for (let at = 0, k = 0; at < text.length; k++) {
            const size = sizes[k % sizes.length] ?? 1;
            const batch = parser.push(text.slice(at, at + size));
            lines.push(...batch.lines);
            rejected.push(...batch.rejected);
            at += size;
          }
          const last = parser.end();
          lines.push(...last.lines);
          rejected.push(...last.rejected);
          const whole = parseBgeigieLog(text);
          assert.deepEqual(lines, whole.lines);
          assert.deepEqual(rejected, whole.rejected);
        },
      ),
      runs,
    );
  });

  it('read from invalid UTF-8 bytes (decoded with replacement characters) without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        assertAccountedFor(parseBgeigieLog(Buffer.from(bytes).toString('utf8')));
      }),
      runs,
    );
  });

  it('with a huge line reject it with its number and a cut text', () => {
    const huge = `${goodRecords[0]}${'9'.repeat(1_000_000)}`;
    const log = parseBgeigieLog(`${goodRecords[1]}\n${huge}\n${goodRecords[2]}\n`);
    assert.deepEqual(
      log.lines.map((line) => line.line),
      [1, 3],
    );
    assert.equal(log.rejected.length, 1);
    assert.equal(log.rejected[0]?.line, 2);
    assert.ok((log.rejected[0]?.text.length ?? 0) <= 200);
  });
});
