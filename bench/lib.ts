import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';

export const benchDir = import.meta.dirname;
export const dataDir = path.join(benchDir, '.data');

/**
 * Starts `script` (a file under bench/; TypeScript through tsx, plain .mjs as is) in its own process;
 * resolves once it prints its URL.
 */
/** Compiles the server once, so benchmarks run what `npm start` runs. */
export function buildServer(): void {
  const result = spawnSync('npm', ['run', '--silent', 'build:server'], {
    cwd: path.join(benchDir, '..'),
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('npm run build:server failed');
}

export function startProcess(
  script: string,
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const loader = [
    ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []),
  ];
  const child = spawn(process.execPath, [...loader, path.join(benchDir, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(buffered);
      if (match?.[1]) {
        const url = match[1];
        resolve({
          url,
          child,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

/** Peak resident memory of a process so far, in MB (Linux). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
}

export interface LoadResult {
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  p99Ms: number;
}

export async function load(
  url: string,
  body: string,
  seconds: number,
  connections = 16,
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
  });
  return {
    requestsPerSecond: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
    p99Ms: result.latency.p99,
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function machine(): string {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/g) ?? [];
  return `${cpus.length} × ${cpus[0]?.split(':')[1]?.trim() ?? 'unknown CPU'}, Node ${process.version}`;
}
