import { type Actor, requireRole } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import { TallyError } from '../errors.js';
import { signCheckpoint } from './checkpoint.js';
import { type StoredEntry, storedNodeLocation } from './entry.js';
import type { LedgerRepository, StoredCheckpoint } from './ledger.repository.js';
import {
  consistencyProof,
  HASH_LENGTH,
  inclusionProof,
  type LeafHashAt,
  leafHash,
  MerkleAccumulator,
  type NodeHashAt,
} from './merkle.js';
import type { PublicRecord } from './public-record.js';
import { type NoteSigner, type NoteVerifier, verifierKeyText } from './signed-note.js';

/** An entry as the API serves it: everything needed to rebuild and check the leaf without Tally's code. */
export interface EntryView {
  index: number;
  time: string;
  action: string;
  subject: string;
  actor: string;
  /** Base64 of the exact leaf bytes (canonical JSON naming the content by its SHA-256). */
  leaf: string;
  /** Base64 of the content bytes, or null once redacted. */
  content: string | null;
  redacted: boolean;
}

export function toEntryView(entry: StoredEntry): EntryView {
  return {
    index: entry.index,
    time: entry.time,
    action: entry.action,
    subject: entry.subject,
    actor: entry.actor,
    leaf: entry.leaf.toString('base64'),
    content: entry.content === null ? null : entry.content.toString('base64'),
    redacted: entry.redacted,
  };
}

/** The most entries one request returns; a client pages through larger ranges. */
export const maxEntriesPerRequest = 1000;

export interface LedgerIdentity {
  origin: string;
  /** Null on a mirror: it serves another deployment's checkpoints and signs none of its own. */
  signer: NoteSigner | null;
  verifier: NoteVerifier;
}

function outOfRange(detail: string, field: string): TallyError {
  return new TallyError('ledger_out_of_range', detail, [{ field, message: detail }]);
}

/** Reads the public record and signs its checkpoints. */
export class LedgerService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly identity: LedgerIdentity,
    private readonly record: PublicRecord,
    private readonly clock: Clock,
  ) {}

  key() {
    const { origin, verifier } = this.identity;
    return {
      origin,
      algorithm: 'Ed25519' as const,
      key_name: verifier.name,
      key_id: Buffer.from(verifier.keyId).toString('hex'),
      public_key: Buffer.from(verifier.publicKey).toString('base64'),
      verifier_key: verifierKeyText(verifier.name, verifier.publicKey),
    };
  }

  /**
   * The latest signed checkpoint. When the log has grown since the last one, a checkpoint of the current
   * head is signed first, so a reader never waits for the next periodic signature.
   */
  async checkpoint(): Promise<StoredCheckpoint> {
    const latest = await this.ledger.latestCheckpoint();
    const { signer } = this.identity;
    if (!signer) {
      if (!latest) throw new TallyError('not_found', 'This mirror holds no checkpoint yet');
      return latest;
    }
    const head = await this.ledger.head();
    if (latest && latest.treeSize >= head.size) return latest;
    const rootHash = MerkleAccumulator.resume(head.size, head.peaks).root();
    const checkpoint: StoredCheckpoint = {
      treeSize: head.size,
      rootHash,
      note: signCheckpoint({ origin: this.identity.origin, treeSize: head.size, rootHash }, signer),
      createdAt: this.clock.now().toISOString(),
    };
    await this.ledger.saveCheckpoint(checkpoint);
    return checkpoint;
  }

  async size(): Promise<number> {
    return (await this.ledger.head()).size;
  }

  /** Entries [start, end), at most `maxEntriesPerRequest` of them and none past the log's end. */
  async entries(start: number, end: number): Promise<{ tree_size: number; entries: EntryView[] }> {
    if (end < start) throw outOfRange('end must not be before start', 'query/end');
    const size = await this.size();
    const stop = Math.min(end, size, start + maxEntriesPerRequest);
    const entries = stop > start ? await this.ledger.range(start, stop) : [];
    return { tree_size: size, entries: entries.map(toEntryView) };
  }

  async history(subject: string): Promise<EntryView[]> {
    return (await this.ledger.ofSubject(subject)).map(toEntryView);
  }

  async inclusionProof(index: number, treeSize: number) {
    await this.requireSize(treeSize, 'query/tree_size');
    if (index >= treeSize) throw outOfRange(`no entry ${index} in a tree of ${treeSize}`, 'query/index');
    const { result, leaves } = await this.withStoredHashes(
      (leafAt, nodeAt) => inclusionProof(index, treeSize, leafAt, nodeAt),
      [index],
    );
    return {
      index,
      tree_size: treeSize,
      leaf_hash: leaves(index).toString('base64'),
      hashes: result.map((hash) => hash.toString('base64')),
    };
  }

  async consistencyProof(first: number, second: number) {
    await this.requireSize(second, 'query/second');
    if (first > second) throw outOfRange('first must not be larger than second', 'query/first');
    const { result } = await this.withStoredHashes(
      (leafAt, nodeAt) => consistencyProof(first, second, leafAt, nodeAt),
      [],
    );
    return { first, second, hashes: result.map((hash) => hash.toString('base64')) };
  }

  /**
   * Removes content published by mistake (a reporter's phone number in a description, say). The entries'
   * leaves stay, so every checkpoint still verifies; the redaction is itself an entry naming them and why.
   * Only content that a later entry has replaced may go: the current state of a report stays checkable.
   */
  async redact(actor: Actor, indices: number[], reason: string): Promise<EntryView> {
    const coordinator = requireRole(actor, 'coordinator', 'redact the public record');
    const record = this.record;
    const wanted = [...new Set(indices)].sort((a, b) => a - b);
    const found = await this.ledger.at(wanted);
    // The entry holding each subject's text now, read once per subject however many entries name it.
    const current = new Map<string, number>();
    const currentText = async (subject: string) => {
      let index = current.get(subject);
      if (index === undefined) {
        const texts = (await this.ledger.ofSubject(subject)).filter((e) => redactableActions.has(e.action));
        index = texts.at(-1)?.index ?? -1;
        current.set(subject, index);
      }
      return index;
    };
    for (const index of wanted) {
      const entry = found.get(index);
      if (!entry) throw outOfRange(`no entry ${index}`, '/entries');
      if (!redactableActions.has(entry.action)) {
        throw new TallyError('redaction_not_allowed', `Entry ${index} (${entry.action}) cannot be redacted`, [
          { field: '/entries', message: `${entry.action} entries keep their content` },
        ]);
      }
      if (index >= (await currentText(entry.subject))) {
        throw new TallyError(
          'redaction_not_allowed',
          `Entry ${index} is the current public state of ${entry.subject}; edit it first, then redact the old entry`,
          [{ field: '/entries', message: 'not yet replaced by a later edit' }],
        );
      }
    }
    const subjects = [...new Set(wanted.map((index) => found.get(index)!.subject))];
    const change = record.change(
      'record.redacted',
      subjects.length === 1 ? subjects[0]! : 'record',
      coordinator,
      { entries: wanted, reason: reason.trim() },
    );
    const [index] = await this.ledger.transaction(async (trx) => {
      await this.ledger.removeContent(trx, wanted);
      return this.ledger.append(trx, [change]);
    });
    const [entry] = await this.ledger.range(index!, index! + 1);
    return toEntryView(entry!);
  }

  private async requireSize(treeSize: number, field: string): Promise<void> {
    const size = await this.size();
    if (treeSize > size) throw outOfRange(`the log holds ${size} entries, not ${treeSize}`, field);
  }

  /**
   * Proofs are computed from stored subtree hashes. The proof functions ask for hashes synchronously, so a
   * first dry run learns which entries hold them, one query fetches those, and the second run is real.
   */
  private async withStoredHashes<T>(
    compute: (leafAt: LeafHashAt, nodeAt: NodeHashAt) => T,
    extraLeaves: number[],
  ): Promise<{ result: T; leaves: (index: number) => Buffer }> {
    const placeholder = Buffer.alloc(HASH_LENGTH);
    const wanted = new Set<number>(extraLeaves);
    compute(
      (index) => {
        wanted.add(index);
        return placeholder;
      },
      (level, index) => {
        if (level === 0) return undefined;
        wanted.add(storedNodeLocation(level, index).entry);
        return placeholder;
      },
    );
    const entries = await this.ledger.treeMaterial([...wanted]);
    const entryAt = (index: number) => {
      const entry = entries.get(index);
      if (!entry) throw new Error(`ledger entry ${index} is missing`);
      return entry;
    };
    const leaves = (index: number) => leafHash(entryAt(index).leaf);
    const result = compute(leaves, (level, index) => {
      if (level === 0) return undefined;
      const { entry, offset } = storedNodeLocation(level, index);
      return entryAt(entry).treeNodes.subarray(offset, offset + HASH_LENGTH);
    });
    return { result, leaves };
  }
}

/** Entries whose content is a report's public text, the only kind a redaction may remove. */
export const redactableActions = new Set(['report.published', 'report.edited']);
