import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { type Checkpoint, openCheckpoint } from '../ledger/checkpoint.js';
import type { LedgerRepository, StoredCheckpoint } from '../ledger/ledger.repository.js';
import { MerkleAccumulator, verifyConsistency } from '../ledger/merkle.js';
import { type NoteVerifier, openNote, parseVerifierKey, verifierKeyText } from '../ledger/signed-note.js';
import type { OutboundPolicy } from '../outbound/policy.js';
import type { MirrorRepository, MirrorSource } from './mirror.repository.js';
import { entriesPageSize, MirrorClient } from './mirror-client.js';
import { MirrorError } from './mirror-error.js';
import { toLedgerChange } from './mirrored-entry.js';
import { projectEntry } from './projection.js';

export interface SyncOptions {
  /** The origin deployment's address. */
  url: string;
  /** A verifier key to insist on instead of trusting the one the origin serves at the first sync. */
  key?: string | null;
  /** Stops a round part-way (nothing of it is stored then). */
  signal?: AbortSignal;
}

export interface SyncResult {
  origin: string;
  url: string;
  /** Entries the mirror held before the round, and after it. */
  before: number;
  after: number;
  firstSync: boolean;
}

function canonicalKey(text: string, what: string): { text: string; verifier: NoteVerifier } {
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(text);
  } catch (error) {
    throw new MirrorError(`${what} "${text}" is not a verifier key: ${(error as Error).message}`);
  }
  return { text: verifierKeyText(verifier.name, verifier.publicKey), verifier };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/**
 * Keeps a copy of another deployment's public record: each round checks the origin's signed checkpoint,
 * that it extends the last one verified here, and that the new entries make exactly that tree, then stores
 * them with the public state they imply, all in one transaction. A round that finds anything wrong stores
 * nothing, so the mirror goes on serving the last state it could verify.
 */
export class MirrorService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: LedgerRepository,
    private readonly mirrors: MirrorRepository,
    private readonly clock: Clock,
    /** Where an origin may be (`src/outbound`). */
    private readonly outbound: OutboundPolicy,
  ) {}

  async sync(options: SyncOptions): Promise<SyncResult> {
    const source = await this.mirrors.source();
    try {
      return await this.round(source, options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const failure =
        error instanceof MirrorError
          ? error
          : new MirrorError(`The sync failed: ${(error as Error).message}`);
      if (source) {
        // The round's own failure is what the operator needs to see, even if this write fails too.
        await this.mirrors.recordError(failure.message).catch(() => {});
      }
      throw failure;
    }
  }

  /**
   * Runs rounds every `intervalMs` until `signal` aborts. A failed round is reported and tried again next
   * time: an origin that is down for a while, or refused, must not stop the mirror serving what it has.
   */
  async follow(
    options: SyncOptions & { intervalMs: number; signal: AbortSignal },
    report: { synced(result: SyncResult): void; failed(error: Error): void },
  ): Promise<void> {
    while (!options.signal.aborted) {
      try {
        report.synced(await this.sync(options));
      } catch (error) {
        if (options.signal.aborted) break;
        report.failed(error as Error);
      }
      try {
        await sleep(options.intervalMs, undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
  }

  private async round(source: MirrorSource | undefined, options: SyncOptions): Promise<SyncResult> {
    const client = new MirrorClient(options.url, this.outbound, options.signal);
    if (!source) await this.refuseOwnRecord(this.db);
    const pinned = options.key ? canonicalKey(options.key, '--key') : null;
    const trusted = source
      ? await this.checkSource(source, client, pinned?.text ?? null)
      : await this.firstKey(client, pinned?.text ?? null);
    const { origin } = trusted;
    const { verifier } = canonicalKey(trusted.verifierKey, `The key stored for ${origin}`);

    const note = await client.checkpoint();
    const checkpoint = openCheckpoint(note, verifier, origin);
    if (!checkpoint) throw await this.badCheckpoint(client, note, trusted, source);

    const last = await this.ledger.latestCheckpoint();
    const head = await this.ledger.head();
    const verified = last?.treeSize ?? 0;
    if (head.size !== verified) {
      throw new MirrorError(
        `This mirror's log holds ${head.size} entries but its last verified checkpoint ${verified}; it was changed outside tally mirror. Refused.`,
      );
    }
    const kept = source
      ? ` Nothing was stored; this mirror keeps serving the ${verified} entries it verified.`
      : ' Nothing was stored.';
    if (checkpoint.treeSize < verified) {
      throw new MirrorError(
        `${client.baseUrl} now signs a checkpoint of ${checkpoint.treeSize} entries, fewer than the ${verified} this mirror verified: ` +
          `the origin's history was rolled back or replaced.${kept}`,
      );
    }
    if (last && checkpoint.treeSize === verified) {
      if (!sameBytes(checkpoint.rootHash, last.rootHash)) {
        throw new MirrorError(
          `The origin's history was rewritten or forked: ${origin} signs a checkpoint of ${checkpoint.treeSize} entries ` +
            `whose root is not the one of the ${verified} entries this mirror verified.${kept}`,
        );
      }
      const now = this.clock.now().toISOString();
      await this.mirrors.markSynced(this.db, client.baseUrl, now);
      return { origin, url: client.baseUrl, before: verified, after: verified, firstSync: false };
    }
    if (last && verified > 0) await this.checkConsistency(client, origin, last, checkpoint, kept);

    await this.ledger.transaction(async (trx) => {
      if (!source) {
        // Checked again under the transaction: nothing may have been recorded here since.
        await this.refuseOwnRecord(trx);
        await this.mirrors.createSource(trx, {
          url: client.baseUrl,
          origin,
          verifierKey: trusted.verifierKey,
        });
      }
      await this.copyEntries(trx, client, verified, checkpoint.treeSize).catch((error: unknown) => {
        throw error instanceof MirrorError ? new MirrorError(`${error.message}${kept}`) : error;
      });
      const after = await this.ledger.head(trx);
      const root = MerkleAccumulator.resume(after.size, after.peaks).root();
      if (after.size !== checkpoint.treeSize || !sameBytes(root, checkpoint.rootHash)) {
        throw new MirrorError(
          `The entries ${client.baseUrl} served do not make the tree its checkpoint of ${checkpoint.treeSize} entries signs: ` +
            `the recomputed root differs.${kept}`,
        );
      }
      const now = this.clock.now().toISOString();
      await this.ledger.saveCheckpoint(
        { treeSize: checkpoint.treeSize, rootHash: root, note, createdAt: now },
        trx,
      );
      await this.mirrors.markSynced(trx, client.baseUrl, now);
    });
    return { origin, url: client.baseUrl, before: verified, after: checkpoint.treeSize, firstSync: !source };
  }

  /** A database that has recorded changes of its own is a deployment, and stays one. */
  private async refuseOwnRecord(executor: Kysely<Database> | Transaction<Database>): Promise<void> {
    const { size } = await this.ledger.head(executor);
    if (size > 0 || (await this.ledger.latestCheckpoint(executor))) {
      throw new MirrorError(
        `This database already keeps a public record of its own (${size} entries), so it cannot become a mirror. ` +
          'Mirror into a new, empty database: set another TALLY_DATA_DIR or DATABASE_URL.',
      );
    }
  }

  /** The first sync trusts the key the origin serves, unless the operator pinned one. */
  private async firstKey(
    client: MirrorClient,
    pinned: string | null,
  ): Promise<{ origin: string; verifierKey: string }> {
    const served = await client.key();
    const key = canonicalKey(served.verifierKey, `${client.baseUrl} serves a key,`);
    if (pinned && pinned !== key.text) {
      throw new MirrorError(
        `${client.baseUrl} signs with the key ${key.text}, not the pinned ${pinned}. Refused; nothing was stored.`,
      );
    }
    return { origin: served.origin, verifierKey: key.text };
  }

  /** A later sync trusts only the stored key; another address must serve the same log under the same key. */
  private async checkSource(
    source: MirrorSource,
    client: MirrorClient,
    pinned: string | null,
  ): Promise<{ origin: string; verifierKey: string }> {
    if (pinned && pinned !== source.verifierKey) {
      throw new MirrorError(
        `This database mirrors ${source.origin}, whose checkpoints it verifies with ${source.verifierKey}, not with the --key given (${pinned}).`,
      );
    }
    if (client.baseUrl !== source.url) {
      // An origin may move to another address; what it serves there must still be the same log and key.
      const served = await client.key();
      if (served.origin !== source.origin) {
        throw new MirrorError(
          `This database mirrors ${source.origin} from ${source.url}; ${client.baseUrl} serves another log (${served.origin}). ` +
            'A database mirrors one origin: use another TALLY_DATA_DIR or DATABASE_URL for this one.',
        );
      }
      const servedKey = canonicalKey(served.verifierKey, `${client.baseUrl} serves a key,`).text;
      if (servedKey !== source.verifierKey) {
        throw new MirrorError(
          `${client.baseUrl} serves ${source.origin} under the key ${servedKey}, but this mirror verifies it with ${source.verifierKey}; ` +
            "a log's key does not change. Refused; this mirror keeps serving the entries it verified.",
        );
      }
    }
    return { origin: source.origin, verifierKey: source.verifierKey };
  }

  /** Says precisely why a checkpoint did not open: another key, another log, or a broken note. */
  private async badCheckpoint(
    client: MirrorClient,
    note: string,
    trusted: { origin: string; verifierKey: string },
    source: MirrorSource | undefined,
  ): Promise<MirrorError> {
    const kept = source
      ? ' Refused; this mirror keeps serving the entries it verified.'
      : ' Refused; nothing was stored.';
    const { verifier } = canonicalKey(trusted.verifierKey, 'The trusted key');
    const text = openNote(note, verifier);
    if (text === null) {
      const served = await client.key().catch(() => null);
      const now =
        served && served.verifierKey !== trusted.verifierKey
          ? ` ${client.baseUrl} now serves the key ${served.verifierKey}.`
          : '';
      return new MirrorError(
        `The checkpoint from ${client.baseUrl} is not signed by ${trusted.verifierKey}, the key this mirror trusts for ${trusted.origin}.${now}${kept}`,
      );
    }
    const line = text.split('\n')[0];
    if (line !== trusted.origin) {
      return new MirrorError(
        `The checkpoint from ${client.baseUrl} is for the log "${line}", not "${trusted.origin}".${kept}`,
      );
    }
    return new MirrorError(
      `The checkpoint from ${client.baseUrl} is signed but is not a well-formed checkpoint.${kept}`,
    );
  }

  private async checkConsistency(
    client: MirrorClient,
    origin: string,
    last: StoredCheckpoint,
    next: Checkpoint,
    kept: string,
  ): Promise<void> {
    const proof = await client.consistencyProof(last.treeSize, next.treeSize);
    if (!verifyConsistency(last.treeSize, next.treeSize, last.rootHash, next.rootHash, proof)) {
      throw new MirrorError(
        `The origin's history was rewritten or forked: ${origin} signs a checkpoint of ${next.treeSize} entries that does not extend ` +
          `the ${last.treeSize} entries this mirror verified (the consistency proof from ${last.treeSize} to ${next.treeSize} fails).${kept}`,
      );
    }
  }

  /** Appends entries [start, end) page by page, each with the state it implies, inside `trx`. */
  private async copyEntries(
    trx: Transaction<Database>,
    client: MirrorClient,
    start: number,
    end: number,
  ): Promise<void> {
    for (let next = start; next < end; ) {
      const page = await client.entries(next, Math.min(end, next + entriesPageSize));
      if (page.length === 0) {
        throw new MirrorError(
          `${client.baseUrl} served no entries from ${next} though its checkpoint has ${end}.`,
        );
      }
      const changes = page.slice(0, end - next).map((entry, offset) => toLedgerChange(entry, next + offset));
      const indices = await this.ledger.append(trx, changes);
      for (const [offset, change] of changes.entries()) {
        await projectEntry(trx, this.mirrors, this.ledger, { ...change, index: indices[offset]! });
      }
      next += changes.length;
    }
  }
}
