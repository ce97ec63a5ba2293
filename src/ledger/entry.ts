import { canonicalJson, type JsonValue } from './canonical-json.js';
import { type LeafFields, leafBytes } from './leaf.js';
import { HASH_LENGTH, leafHash, MerkleAccumulator } from './merkle.js';

/** One public change, ready to append: its leaf bytes and the content they name. */
export interface LedgerChange extends LeafFields {
  leaf: Buffer;
  /** Null only for an entry copied from another log after it was redacted there. */
  content: Buffer | null;
  redacted: boolean;
}

/** An entry as the log stores it. */
export interface StoredEntry extends LedgerChange {
  index: number;
  /** Hashes of the complete subtrees this leaf closes, level 1 first (see `MerkleAccumulator.append`). */
  treeNodes: Buffer;
}

/** The tree as it stands: its size and one subtree hash per set bit of the size, largest first. */
export interface TreeHead {
  size: number;
  peaks: Buffer[];
}

/** The content as bytes (RFC 8785 canonical JSON), and the leaf that names it. */
export function makeChange(fields: LeafFields, content: JsonValue): LedgerChange {
  const bytes = Buffer.from(canonicalJson(content), 'utf8');
  return { ...fields, leaf: leafBytes(fields, bytes), content: bytes, redacted: false };
}

/** Places the changes after `head`: their indices and stored subtree hashes, and the head after them. */
export function appendToTree(
  head: TreeHead,
  changes: readonly LedgerChange[],
): { entries: StoredEntry[]; head: TreeHead } {
  const tree = MerkleAccumulator.resume(head.size, head.peaks);
  const entries = changes.map((change) => {
    const index = tree.size;
    const treeNodes = Buffer.concat(tree.append(leafHash(change.leaf)));
    return { ...change, index, treeNodes };
  });
  return { entries, head: { size: tree.size, peaks: tree.peaks() } };
}

/** Which entry stores the hash of the complete subtree (level ≥ 1, index), and where in its `treeNodes`. */
export function storedNodeLocation(level: number, index: number): { entry: number; offset: number } {
  return { entry: (index + 1) * 2 ** level - 1, offset: (level - 1) * HASH_LENGTH };
}

export function peaksToText(peaks: readonly Buffer[]): string {
  return JSON.stringify(peaks.map((peak) => peak.toString('base64')));
}

export function peaksFromText(text: string): Buffer[] {
  return (JSON.parse(text) as string[]).map((peak) => Buffer.from(peak, 'base64'));
}
