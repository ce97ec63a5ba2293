// Sustained load: submissions and list queries together for minutes, sampling the server's memory.
// What to look for: no errors, no non-2xx, and RSS that levels off instead of climbing. BENCH_SECONDS sets
// the length (default 180).
import autocannon from 'autocannon';
import { buildServer, machine, startProcess } from './lib.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 180);
buildServer();
console.log(`machine: ${machine()}; ${seconds} s`);
const server = await startProcess('serve-tally.mjs');
const pid = server.child.pid!;
const { readFileSync } = await import('node:fs');
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const samples: number[] = [];
const timer = setInterval(() => samples.push(rssMb()), 5000);
const body = JSON.stringify({ title: 'Queue at the fuel station', location: { lat: 14.69, lon: -17.44 } });
const result = await autocannon({
  url: server.url,
  connections: 12,
  duration: seconds,
  requests: [
    { method: 'POST', path: '/api/v1/reports', headers: { 'content-type': 'application/json' }, body },
    { method: 'GET', path: '/api/v1/reports?bbox=-18,14,-17,15&limit=50' },
  ],
});
clearInterval(timer);
await server.stop();
const third = Math.max(1, Math.floor(samples.length / 3));
const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
console.log(
  `requests: ${result.requests.total}, ${result.requests.average.toFixed(0)}/s, errors ${result.errors}, non-2xx ${result.non2xx}`,
);
console.log(`RSS every 5 s (MB): ${samples.map((s) => s.toFixed(0)).join(' ')}`);
console.log(
  `RSS first third avg ${average(samples.slice(0, third)).toFixed(0)} MB, last third avg ${average(samples.slice(-third)).toFixed(0)} MB`,
);
