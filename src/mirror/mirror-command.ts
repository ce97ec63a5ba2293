import { InvalidArgumentError } from 'commander';
import { systemClock } from '../clock.js';
import type { Db } from '../db/database.js';
import { LedgerRepository } from '../ledger/ledger.repository.js';
import type { OutboundPolicy } from '../outbound/policy.js';
import { MirrorRepository } from './mirror.repository.js';
import { MirrorService, type SyncResult } from './mirror.service.js';
import { MirrorError } from './mirror-error.js';

export interface MirrorCommandOptions {
  follow?: boolean;
  /** Seconds between rounds with `follow`. */
  interval: number;
  key?: string;
}

export const defaultIntervalSeconds = 30;

export function parseInterval(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('the interval is a number of seconds greater than 0');
  }
  return seconds;
}

function entries(count: number): string {
  return `${count} ${count === 1 ? 'entry' : 'entries'}`;
}

function describe(result: SyncResult): string {
  const added = result.after - result.before;
  if (result.firstSync) {
    return `Now mirroring ${result.origin} from ${result.url}: ${entries(result.after)} verified and stored.`;
  }
  if (added === 0) return `${result.origin} from ${result.url}: up to date, ${entries(result.after)}.`;
  return `${result.origin} from ${result.url}: ${added} new ${added === 1 ? 'entry' : 'entries'} verified and stored, ${result.after} in all.`;
}

/** `tally mirror URL`: one round, or rounds until SIGINT/SIGTERM with --follow. Returns the exit code. */
export async function runMirror(
  db: Db,
  url: string,
  options: MirrorCommandOptions,
  outbound: OutboundPolicy,
): Promise<number> {
  const service = new MirrorService(
    db.kysely,
    new LedgerRepository(db.kysely, db.dialect),
    new MirrorRepository(db.kysely),
    systemClock,
    outbound,
  );
  if (!options.follow) {
    try {
      const result = await service.sync({ url, key: options.key ?? null });
      console.log(describe(result));
      if (result.firstSync) {
        console.log(
          'Run `tally serve` on this database (same TALLY_DATA_DIR or DATABASE_URL) to serve it read-only.',
        );
      }
      return 0;
    } catch (error) {
      if (!(error instanceof MirrorError)) throw error;
      console.error(`tally: ${error.message}`);
      return 1;
    }
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const stamp = () => new Date().toISOString();
  try {
    await service.follow(
      {
        url,
        key: options.key ?? null,
        intervalMs: options.interval * 1000,
        signal: controller.signal,
      },
      {
        synced: (result) => console.log(`${stamp()} ${describe(result)}`),
        failed: (error) =>
          console.error(`${stamp()} sync failed, trying again in ${options.interval} s: ${error.message}`),
      },
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  console.log(`${stamp()} Stopped.`);
  return 0;
}
