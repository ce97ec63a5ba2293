// `tally ledger verify` over a public record of 1,000,000 entries (999,999 published reports and their rows,
// SQLite), run as an operator runs it (the built CLI, its own process), against the baseline of the least any
// verifier must do in the same run: read every entry and hash its leaf and content once.
// Target: <= 30 s.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { ensureLedgerDataset } from './ledger-dataset.js';
import { benchDir, buildServer, machine, peakRssMb } from './lib.js';

const count = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const dataset = await ensureLedgerDataset(count);
buildServer();
console.log(`machine: ${machine()}; ${count} entries`);

const baselineStarted = performance.now();
const sqlite = new SqliteDatabase(dataset.sqlitePath, { readonly: true });
let hashed = 0;
for (const row of sqlite
  .prepare('SELECT leaf, content FROM ledger_entries ORDER BY idx')
  .iterate() as Iterable<{
  leaf: Buffer;
  content: Buffer | null;
}>) {
  createHash('sha256').update(row.leaf).digest();
  if (row.content) createHash('sha256').update(row.content).digest();
  hashed++;
}
sqlite.close();
const baselineSeconds = (performance.now() - baselineStarted) / 1000;
console.log(`baseline: read and hash ${hashed} entries: ${baselineSeconds.toFixed(1)} s`);

const started = performance.now();
const outcome = await new Promise<{ code: number | null; output: string; peakMb: number }>((resolve) => {
  const child = spawn(process.execPath, [path.join(benchDir, '..', 'bin', 'tally.js'), 'ledger', 'verify'], {
    env: { ...process.env, TALLY_DATA_DIR: dataset.dataDir, TALLY_LOG_LEVEL: 'warn' },
  });
  let output = '';
  let peakMb = 0;
  // The high-water mark, read until the process is gone.
  const sample = setInterval(() => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      peakMb = Math.max(peakMb, peakRssMb(child.pid));
    } catch {
      // It exited between the check and the read; the last reading stands.
    }
  }, 200);
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.on('exit', (code) => {
    clearInterval(sample);
    resolve({ code, output: output.trim(), peakMb });
  });
});
const seconds = (performance.now() - started) / 1000;
console.log(
  `tally ledger verify: ${seconds.toFixed(1)} s, exit ${outcome.code}, peak RSS ≈ ${outcome.peakMb.toFixed(0)} MB`,
);
console.log(`  ${outcome.output}`);
console.log(
  `${(seconds / baselineSeconds).toFixed(1)}× the baseline; target <= 30 s: ${seconds <= 30 && outcome.code === 0 ? 'met' : 'NOT met'}`,
);
