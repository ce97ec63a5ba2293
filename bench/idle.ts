// An idle server: time from `tally serve` to answering /api/v1/health, and its memory a few seconds later.
// Runs the built command (`npm run build` first), as `npm start` does. Targets: start <= 1 s, RSS <= 150 MB.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchDir, machine } from './lib.js';

const bin = path.join(benchDir, '..', 'bin', 'tally.js');
if (!existsSync(path.join(benchDir, '..', 'dist', 'tally.mjs'))) {
  console.error('Build first: npm run build');
  process.exit(1);
}

async function startOnce(port: number, dataDir: string) {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: {
      ...process.env,
      TALLY_PORT: String(port),
      TALLY_HOST: '127.0.0.1',
      TALLY_DATA_DIR: dataDir,
      TALLY_LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      if (response.ok) break;
    } catch {
      await sleep(10);
    }
  }
  return { child, seconds: (performance.now() - started) / 1000 };
}

// The baseline: node itself starting an empty script, measured the same way.
const nodeStarted = performance.now();
await new Promise((resolve) => spawn(process.execPath, ['-e', '0']).once('exit', resolve));
const nodeSeconds = (performance.now() - nodeStarted) / 1000;

console.log(`machine: ${machine()}`);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-idle-'));
const first = await startOnce(18_900, dataDir); // creates and migrates the database
first.child.kill('SIGTERM');
await sleep(500);
const { child, seconds } = await startOnce(18_901, dataDir);
await sleep(3000);
const { readFileSync } = await import('node:fs');
const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
child.kill('SIGTERM');
console.log(`first start (new database, migrations): ${first.seconds.toFixed(2)} s`);
console.log(
  `start to first answer: ${seconds.toFixed(2)} s (target <= 1 s); bare node start: ${nodeSeconds.toFixed(2)} s`,
);
console.log(`idle RSS: ${rss.toFixed(0)} MB (target <= 150 MB)`);
