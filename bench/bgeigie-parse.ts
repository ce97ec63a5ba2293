// bGeigie log parsing: the real 8,512-line Nano drive log repeated to >= 2,000,000 lines in memory, decoded by
// the streaming parser in 64 KiB pieces (as an import reads a large file), and by `parseBgeigieLog` one real
// file at a time (as an upload of one drive is decoded). Target: >= 1,000,000 lines/s. Baseline in the same run:
// splitting the same text into lines and XOR-ing each line's checksum bytes, the work no decoder can skip.
//
// Not measured: `parseBgeigieLog` on all 2,000,000 lines at once. Keeping that many readings alive makes the
// run a garbage-collector benchmark (V8 pretenures them), which is why large files go through the stream.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BgeigieLogParser, parseBgeigieLog } from '../src/sensors/decoders/bgeigie.js';
import { benchDir, machine } from './lib.js';

const targetLines = Number(process.env.BENCH_BGEIGIE_LINES ?? 2_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const chunkSize = 64 * 1024;

const sample = readFileSync(
  path.resolve(benchDir, '../../shared/data/bgeigie/bGeigieNanoKit-204-0920.LOG'),
  'utf8',
);
// The sample's last line is cut off at power-off; repeating it would glue it to the next copy's first line.
const body = sample.slice(sample.indexOf('$'), sample.lastIndexOf('\n') + 1);
const bodyLines = body.split('\n').length - 1;
const copies = Math.ceil(targetLines / bodyLines);
const lineCount = copies * bodyLines + 2;
const bytes = Buffer.from(`# NEW LOG\n# format=1.0.0nano\n${body.repeat(copies)}`, 'latin1');
// Decoded from bytes, as a file read gives them: flat strings. Slices of one big string would be V8 sliced
// strings, each character read going through the parent, which no real import sees.
const text = bytes.toString('latin1');
const chunks: string[] = [];
for (let at = 0; at < bytes.length; at += chunkSize)
  chunks.push(bytes.toString('latin1', at, at + chunkSize));

function baseline(): number {
  let checksums = 0;
  let from = 0;
  for (let newline = text.indexOf('\n', from); newline !== -1; newline = text.indexOf('\n', from)) {
    let xor = 0;
    for (let i = from + 1; i < newline; i++) {
      const c = text.charCodeAt(i);
      if (c === 42) break;
      xor ^= c;
    }
    checksums += xor;
    from = newline + 1;
  }
  return checksums;
}

function streamed(): number {
  const parser = new BgeigieLogParser();
  let accepted = 0;
  for (const chunk of chunks) accepted += parser.push(chunk).lines.length;
  return accepted + parser.end().lines.length;
}

const fileLines = parseBgeigieLog(sample).lineCount;
const files = Math.ceil(lineCount / fileLines);

function perFile(): number {
  let accepted = 0;
  for (let i = 0; i < files; i++) accepted += parseBgeigieLog(sample).lines.length;
  return accepted;
}

function measure(name: string, run: () => number, lines = lineCount): number {
  const rates: number[] = [];
  let result = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    result = run();
    rates.push(lines / ((performance.now() - started) / 1000));
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)] ?? Number.NaN;
  console.log(
    `${name.padEnd(34)} median ${Math.round(median).toLocaleString('en')} lines/s` +
      `  (best ${Math.round(rates.at(-1) ?? 0).toLocaleString('en')}; result ${result})`,
  );
  return median;
}

console.log(
  `machine: ${machine()}; ${lineCount.toLocaleString('en')} lines, ${(text.length / 1e6).toFixed(0)} MB, ${rounds} rounds`,
);
const base = measure('split + XOR checksum (baseline)', baseline);
const stream = measure(`parser, ${chunkSize / 1024} KiB pieces`, streamed);
const one = measure(`parseBgeigieLog, ${files} × one file`, perFile, files * fileLines);
console.log(
  `streaming: ${((stream / base) * 100).toFixed(0)} % of baseline; one file at a time: ${((one / base) * 100).toFixed(0)} %` +
    ' (target >= 1,000,000 lines/s)',
);
