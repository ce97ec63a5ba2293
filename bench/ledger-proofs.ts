// Inclusion and consistency proofs over a public record of 1,000,000 entries (SQLite), computed from the stored
// subtree hashes, against the baseline of reading one entry by its index in the same run. Each proof is
// checked against the signed checkpoint, outside the timing. Target: inclusion proof p99 <= 5 ms.
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { LedgerRepository } from '../src/ledger/ledger.repository.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../src/ledger/merkle.js';
import { createServices } from '../src/services.js';
import { ensureLedgerDataset } from './ledger-dataset.js';
import { machine, percentile } from './lib.js';

const count = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const samples = Number(process.env.BENCH_QUERIES ?? 2000);
const dataset = await ensureLedgerDataset(count);
const db = openDatabase({ sqlitePath: dataset.sqlitePath });
const { ledger } = await createServices(db, systemClock, loadConfig({ TALLY_DATA_DIR: dataset.dataDir }));
const repository = new LedgerRepository(db.kysely, db.dialect, db.sqlite);
const checkpoint = await ledger.checkpoint();
const size = checkpoint.treeSize;

let seed = 11;
const randomBelow = (n: number) => {
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return Math.floor((seed / 4294967296) * n);
};

async function time(work: () => Promise<unknown>): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await work();
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b);
}

const line = (what: string, timings: number[]) =>
  console.log(
    `${what.padEnd(46)} p50 ${percentile(timings, 50).toFixed(3)} ms, p99 ${percentile(timings, 99).toFixed(3)} ms`,
  );

console.log(`machine: ${machine()}; ${size} entries`);
line(
  'baseline: read one entry by index',
  await time(() => {
    const index = randomBelow(size);
    return repository.range(index, index + 1);
  }),
);

let failures = 0;
const inclusion = await time(async () => {
  const index = randomBelow(size);
  const proof = await ledger.inclusionProof(index, size);
  const [entry] = await repository.range(index, index + 1);
  const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
  if (!verifyInclusion(leafHash(entry!.leaf), index, size, hashes, checkpoint.rootHash)) failures++;
});
line('inclusion proof (+ reading the entry to check)', inclusion);
line('inclusion proof alone', await time(() => ledger.inclusionProof(randomBelow(size), size)));

const older = await repository.checkpoints();
const consistency = await time(async () => {
  const first = older[randomBelow(older.length)]!;
  const proof = await ledger.consistencyProof(first.treeSize, size);
  const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
  if (!verifyConsistency(first.treeSize, size, first.rootHash, checkpoint.rootHash, hashes)) failures++;
});
line('consistency proof from a stored checkpoint', consistency);
console.log(
  `inclusion p99 target <= 5 ms: ${percentile(inclusion, 99) <= 5 ? 'met' : 'NOT met'}; proofs that failed to verify: ${failures}`,
);
await db.destroy();
