// Inbound webhooks: Twilio form posts to POST /api/v1/inbound/twilio/{channel}, each with its own MessageSid,
// one of 100,000 senders and a valid X-Twilio-Signature, under autocannon on loopback; the figure is the
// messages stored a second (counted in the database), beside Tally's POST /api/v1/reports measured as
// bench/report-submission.ts measures it, in the same run. Then `tally serve` is killed with SIGKILL while
// under that load and started again on the same data directory, BENCH_KILLS times: every message it answered
// 200 must be stored. Targets: >= 2,000 messages/s stored; no acknowledged message lost.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import SqliteDatabase from 'better-sqlite3';
import { twilioSignature } from '../src/messages/gateways/twilio.js';
import { benchDir, buildServer, load, machine, startProcess } from './lib.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const kills = Number(process.env.BENCH_KILLS ?? 3);
const connections = 16;
const channelId = 'bench-twilio';
const route = `/api/v1/inbound/twilio/${channelId}`;
const authToken = randomBytes(16).toString('hex');
const accountSid = `AC${randomBytes(16).toString('hex')}`;
const bin = path.join(benchDir, '..', 'bin', 'tally.js');
// Limits raised so that the benchmark measures work, not refusals (a channel's default is 60,000 a minute).
const limits = {
  TALLY_SENDER_MESSAGES_PER_MINUTE: '1000000',
  TALLY_CHANNEL_MESSAGES_PER_MINUTE: '100000000',
};
const texts = [
  'Maji yamekatika tangu jana asubuhi karibu na shule ya msingi Olympic, watoto hawana maji ya kunywa',
  'Burst pipe on Ngong Road near the petrol station, water flooding the road since 6am',
  'Taa za barabarani hazifanyi kazi Kibera Laini Saba, usiku ni giza kabisa',
  'Garbage not collected for two weeks at Toi market, the smell is bad & flies everywhere',
];
const reportBody = JSON.stringify({
  title: 'Burst water pipe flooding the road',
  description: 'Water has been running since 6am near the Olympic estate gate; children cannot cross.',
  location: { lat: -1.3133, lon: 36.7876 },
});

// Twilio's message ids are "SM" and 32 hex digits: a random tag for this run, then a counter.
const runTag = randomBytes(4).toString('hex');
let made = 0;

/** The next message as Twilio posts it: its form, and the signature over the URL it calls and the fields. */
function nextMessage(signedUrl: string): { sid: string; body: string; signature: string } {
  const n = made++;
  const sid = `SM${runTag}${n.toString(16).padStart(24, '0')}`;
  const form: Record<string, string> = {
    ToCountry: 'KE',
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: texts[n % texts.length] ?? '',
    FromCountry: 'KE',
    To: '+254700000100',
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: accountSid,
    From: `+2547220${String(randomInt(100_000)).padStart(5, '0')}`,
    ApiVersion: '2010-04-01',
  };
  return {
    sid,
    body: new URLSearchParams(form).toString(),
    signature: twilioSignature(authToken, signedUrl, form),
  };
}

interface InboundLoad {
  instance: autocannon.Instance;
  result: Promise<autocannon.Result>;
  /** MessageSids answered 200, as they arrive. */
  acknowledged: string[];
  /** Answers by status code. */
  statuses: Map<number, number>;
}

/**
 * Autocannon posting a new signed message with every request. Each connection has one request in flight,
 * so the context an answer is reported with is that of the request it answers.
 */
function inboundLoad(serverUrl: string, duration: number): InboundLoad {
  const { host, origin } = new URL(serverUrl);
  // With no TALLY_PUBLIC_URL, Tally checks the signature against http://<Host header><path>.
  const signedUrl = `http://${host}${route}`;
  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  let done: (result: autocannon.Result) => void = () => {};
  let failed: (error: unknown) => void = () => {};
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url: origin,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: route,
          setupRequest: (request, context) => {
            const message = nextMessage(signedUrl);
            (context as { sid?: string }).sid = message.sid;
            return {
              ...request,
              headers: {
                ...request.headers,
                host,
                'content-type': 'application/x-www-form-urlencoded',
                'x-twilio-signature': message.signature,
              },
              body: message.body,
            };
          },
          onResponse: (status, _body, context) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            const sid = (context as { sid?: string }).sid;
            if (status === 200 && sid) acknowledged.push(sid);
          },
        },
      ],
    },
    (error, outcome) => (error ? failed(error) : done(outcome)),
  );
  return { instance, result, acknowledged, statuses };
}

/** A data directory with its database and one Twilio channel, made with `tally channel add`. */
function newDataDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const added = spawnSync(
    process.execPath,
    [bin, 'channel', 'add', channelId, '--kind', 'twilio', '--secrets-stdin'],
    {
      env: { ...process.env, TALLY_DATA_DIR: dir, TALLY_LOG_LEVEL: 'warn' },
      input: JSON.stringify({ authToken }),
      stdio: ['pipe', 'ignore', 'inherit'],
    },
  );
  if (added.status !== 0) throw new Error('tally channel add failed');
  return dir;
}

/** The MessageSids of the channel's stored inbound messages, read from the SQLite file (read-only). */
function storedSids(dir: string): Set<string> {
  const sqlite = new SqliteDatabase(path.join(dir, 'tally.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = sqlite
      .prepare("SELECT provider_id FROM messages WHERE channel_id = ? AND direction = 'inbound'")
      .pluck()
      .all(channelId) as string[];
    return new Set(rows);
  } finally {
    sqlite.close();
  }
}

function storedCount(dir: string): number {
  const sqlite = new SqliteDatabase(path.join(dir, 'tally.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return sqlite
      .prepare("SELECT count(*) FROM messages WHERE channel_id = ? AND direction = 'inbound'")
      .pluck()
      .get(channelId) as number;
  } finally {
    sqlite.close();
  }
}

/** `tally serve` (the built command, as `npm start` runs it) on a data directory; resolves once it listens. */
function serve(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: {
      ...process.env,
      ...limits,
      TALLY_DATA_DIR: dir,
      TALLY_PORT: '0',
      TALLY_HOST: '127.0.0.1',
      TALLY_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(buffered);
      if (match?.[1]) resolve({ url: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`tally serve exited with ${code} before listening`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** CPU time a process has used so far, in seconds (Linux; user and system). */
function cpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime, the 14th and 15th fields, in clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** How long a process's main thread has waited for a CPU while ready to run, in seconds (Linux). */
function waitedSeconds(pid: number | undefined): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
}

/**
 * Runs `work`, and says how busy the server and this process (the load generator) were meanwhile, and how
 * long the server's main thread was kept waiting by other work on the machine.
 */
async function withCpu<T>(pid: number | undefined, work: () => Promise<T>): Promise<T & { cpu: string }> {
  const server = cpuSeconds(pid);
  const waited = waitedSeconds(pid);
  const generator = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(generator);
  const share = (value: number) => `${((value / elapsed) * 100).toFixed(0)} %`;
  return {
    ...result,
    cpu: `CPU: server ${share(cpuSeconds(pid) - server)} of a core (waiting for one ${share(waitedSeconds(pid) - waited)}), load generator ${share((used.user + used.system) / 1e6)}`,
  };
}

function statusSummary(statuses: Map<number, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
}

buildServer();
console.log(`machine: ${machine()}`);

// The core's figure in this run: report submission, exactly as bench/report-submission.ts measures it.
const reportServer = await startProcess('serve-tally.mjs');
let reports: Awaited<ReturnType<typeof load>> & { cpu: string };
try {
  await load(`${reportServer.url}/api/v1/reports`, reportBody, 2); // warm-up
  reports = await withCpu(reportServer.child.pid, () =>
    load(`${reportServer.url}/api/v1/reports`, reportBody, seconds),
  );
} finally {
  await reportServer.stop();
}

// Inbound throughput, on the same server harness, on a fresh data directory with one Twilio channel.
const throughputDir = newDataDir('tally-bench-inbound-');
const inboundServer = await startProcess('serve-tally.mjs', { ...limits, BENCH_DATA_DIR: throughputDir });
let inbound: autocannon.Result & { cpu: string };
let storedPerSecond: number;
let acknowledgedTotal = 0;
const inboundStatuses = new Map<number, number>();
try {
  const warmUp = inboundLoad(inboundServer.url, 2);
  await warmUp.result;
  acknowledgedTotal += warmUp.acknowledged.length;
  const before = storedCount(throughputDir);
  const started = performance.now();
  const measured = inboundLoad(inboundServer.url, seconds);
  inbound = await withCpu(inboundServer.child.pid, () => measured.result);
  const elapsed = (performance.now() - started) / 1000;
  await sleep(200); // the last requests in flight
  storedPerSecond = (storedCount(throughputDir) - before) / elapsed;
  acknowledgedTotal += measured.acknowledged.length;
  for (const [status, count] of measured.statuses) inboundStatuses.set(status, count);
} finally {
  await inboundServer.stop();
}
const storedTotal = storedCount(throughputDir);
const ratio = storedPerSecond / reports.requestsPerSecond;

// Kill test: `tally serve` killed with SIGKILL under load, then started again on the same data directory.
const killDir = newDataDir('tally-bench-kill-');
const acknowledgedSids = new Set<string>();
const killRounds: string[] = [];
// Each round checks every message acknowledged so far, so the last round's count is the run's.
let lostTotal = 0;
for (let round = 1; round <= kills; round++) {
  const server = await serve(killDir);
  const run = inboundLoad(server.url, 60);
  const killAfter = 1500 + randomInt(1000);
  await sleep(killAfter);
  server.child.kill('SIGKILL');
  await exited(server.child);
  await sleep(300); // answers already on the wire are read
  run.instance.stop();
  await run.result;
  for (const sid of run.acknowledged) acknowledgedSids.add(sid);
  await sleep(1000);
  const restarted = await serve(killDir);
  const health = await fetch(`${restarted.url}/api/v1/health`);
  const stored = storedSids(killDir);
  restarted.child.kill('SIGTERM');
  await exited(restarted.child);
  let lost = 0;
  for (const sid of acknowledgedSids) if (!stored.has(sid)) lost++;
  lostTotal = lost;
  const unacknowledgedStored = [...stored].filter((sid) => !acknowledgedSids.has(sid)).length;
  killRounds.push(
    `round ${round}, killed after ${(killAfter / 1000).toFixed(1)} s (${run.acknowledged.length} answered 200 in this round; answers ${statusSummary(run.statuses)}); restarted, health ${health.status}; so far: acknowledged ${acknowledgedSids.size}, stored ${stored.size}, lost ${lost}, stored without an answer ${unacknowledgedStored}`,
  );
}

console.log(
  `report submission (POST /api/v1/reports):   ${reports.requestsPerSecond.toFixed(0)} req/s, p99 ${reports.p99Ms} ms, non-2xx ${reports.non2xx}, errors ${reports.errors}; ${reports.cpu}`,
);
console.log(
  `inbound Twilio (signed form posts):         ${storedPerSecond.toFixed(0)} messages/s stored (autocannon ${inbound.requests.average.toFixed(0)} req/s), p99 ${inbound.latency.p99} ms, non-2xx ${inbound.non2xx}, errors ${inbound.errors}; answers ${statusSummary(inboundStatuses)}; ${inbound.cpu}`,
);
console.log(
  `whole inbound run (with warm-up): ${acknowledgedTotal} answered 200, ${storedTotal} stored${storedTotal < acknowledgedTotal ? ' — FEWER STORED THAN ANSWERED' : ''}`,
);
console.log(
  `ratio: ${(ratio * 100).toFixed(1)} % of report submission; >= 2,000 messages/s: ${storedPerSecond >= 2000 ? 'met' : 'NOT met'}`,
);
console.log(
  `kill test (SIGKILL under load, ${connections} connections, ${kills} rounds on one data directory):`,
);
for (const line of killRounds) console.log(`  ${line}`);
console.log(
  `acknowledged ${acknowledgedSids.size}, lost ${lostTotal}: ${lostTotal === 0 ? 'none lost' : 'MESSAGES LOST'}`,
);
