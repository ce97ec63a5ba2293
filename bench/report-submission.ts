// Report submission over HTTP: Tally's POST /api/v1/reports against a bare Fastify route doing one
// prepared insert, both measured with autocannon on loopback in this run; then Tally again with every report
// published on arrival, so that each submission also appends a leaf to the public record.
// Target: >= 3,000 reports/s and >= 40 % of the baseline, with the record too.
import { buildServer, load, machine, startProcess } from './lib.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const body = JSON.stringify({
  title: 'Burst water pipe flooding the road',
  description: 'Water has been running since 6am near the Olympic estate gate; children cannot cross.',
  location: { lat: -1.3133, lon: 36.7876 },
});

async function measure(script: string, route: string, env: Record<string, string> = {}) {
  const server = await startProcess(script, env);
  try {
    await load(`${server.url}${route}`, body, 2); // warm-up
    return await load(`${server.url}${route}`, body, seconds);
  } finally {
    await server.stop();
  }
}

buildServer();
console.log(`machine: ${machine()}`);
const baseline = await measure('serve-baseline.ts', '/reports');
const tally = await measure('serve-tally.mjs', '/api/v1/reports');
const recorded = await measure('serve-tally.mjs', '/api/v1/reports', { BENCH_AUTO_PUBLISH: '1' });
const ratio = tally.requestsPerSecond / baseline.requestsPerSecond;
const recordedRatio = recorded.requestsPerSecond / baseline.requestsPerSecond;
console.log(
  `baseline (bare Fastify + one prepared insert): ${baseline.requestsPerSecond.toFixed(0)} req/s, p99 ${baseline.p99Ms} ms`,
);
console.log(
  `tally POST /api/v1/reports:                  ${tally.requestsPerSecond.toFixed(0)} req/s, p99 ${tally.p99Ms} ms, non-2xx ${tally.non2xx}, errors ${tally.errors}`,
);
console.log(
  `ratio: ${(ratio * 100).toFixed(1)} % of baseline (target >= 40 %); absolute target >= 3,000/s: ${tally.requestsPerSecond >= 3000 ? 'met' : 'NOT met'}`,
);
console.log(
  `tally, each report published with a leaf:   ${recorded.requestsPerSecond.toFixed(0)} req/s, p99 ${recorded.p99Ms} ms, non-2xx ${recorded.non2xx}, errors ${recorded.errors}`,
);
console.log(
  `with the record: ${(recordedRatio * 100).toFixed(1)} % of baseline, ${((recorded.requestsPerSecond / tally.requestsPerSecond) * 100).toFixed(1)} % of Tally without it; >= 3,000/s: ${recorded.requestsPerSecond >= 3000 ? 'met' : 'NOT met'}`,
);
