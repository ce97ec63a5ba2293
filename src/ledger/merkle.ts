/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0, §2.1) over SHA-256: tree hashes, inclusion and
 * consistency proofs, and their verification. Any CT or tlog client checks Tally's log with the same maths.
 *
 * Sizes and indices are plain numbers; every safe integer is allowed, far beyond what one log will hold.
 */
import { createHash, hash as sha256Once } from 'node:crypto';

export const HASH_LENGTH = 32;

/** Hash of one leaf, for a tree of at least `index + 1` leaves. */
export type LeafHashAt = (index: number) => Uint8Array;

/**
 * Hash of the complete subtree of 2^level leaves [index * 2^level, (index + 1) * 2^level), or undefined when
 * it is not stored: the proof then computes it from lower levels and, at last, from the leaf hashes.
 */
export type NodeHashAt = (level: number, index: number) => Uint8Array | undefined;

// Inclusion proofs hold at most 53 hashes and consistency proofs at most about twice that for a tree of
// safe-integer size, so a longer proof from a peer is refused before any of it is hashed.
const MAX_PROOF_LENGTH = 128;

const LEAF_PREFIX = Buffer.from([0x00]);
const EMPTY_ROOT = createHash('sha256').digest();

// nodeHash runs once per inner node, a million times for a million-leaf tree: one reused input buffer and
// the one-shot hash take about a third off the time of a fresh hash object and buffer per node.
const nodeInput = Buffer.alloc(1 + 2 * HASH_LENGTH);
nodeInput[0] = 0x01;

export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  // A shorter child would leave bytes of the previous node in the shared input.
  requireHash(left, 'left child');
  requireHash(right, 'right child');
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_LENGTH);
  return sha256Once('sha256', nodeInput, 'buffer');
}

export function emptyRoot(): Buffer {
  return Buffer.from(EMPTY_ROOT);
}

/**
 * Appends leaf hashes one at a time and knows the root of the tree so far, holding only one hash per set bit
 * of the size (the peaks, largest first). Saving `size` and `peaks()` lets a log keep appending after a
 * restart without reading its entries again.
 */
export class MerkleAccumulator {
  #size = 0;
  #peaks: Uint8Array[] = [];

  /** Continues a tree from a saved `size` and `peaks()`; throws RangeError when they cannot belong together. */
  static resume(size: number, peaks: readonly Uint8Array[]): MerkleAccumulator {
    if (!isSize(size)) throw new RangeError(`a tree size is a non-negative safe integer, not ${size}`);
    if (peaks.length !== setBits(size)) {
      throw new RangeError(`a tree of ${size} leaves has ${setBits(size)} peaks, not ${peaks.length}`);
    }
    const accumulator = new MerkleAccumulator();
    for (const peak of peaks) requireHash(peak, 'peak');
    accumulator.#peaks = peaks.map((peak) => Buffer.from(peak));
    accumulator.#size = size;
    return accumulator;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Adds a leaf and returns the hashes of the complete subtrees it closes, lowest level first: for leaf i,
   * the subtree at level L (L = 1, 2, …) holding leaves [i + 1 - 2^L, i]. A log stores them to answer proofs.
   */
  append(leafHash: Uint8Array): Buffer[] {
    requireHash(leafHash, 'leaf hash');
    let node = leafHash;
    const closed: Buffer[] = [];
    // Each trailing 1 bit of the old size is a complete subtree that the new leaf's subtree now pairs with.
    for (let size = this.#size; size % 2 === 1; size = (size - 1) / 2) {
      node = nodeHash(this.#peaks.pop()!, node);
      closed.push(node as Buffer);
    }
    // A leaf kept as it came would change here if the caller reused its buffer.
    this.#peaks.push(node === leafHash ? Buffer.from(leafHash) : node);
    this.#size += 1;
    return closed;
  }

  /** MTH of the leaves appended so far. */
  root(): Buffer {
    let root = this.#peaks.at(-1);
    if (root === undefined) return emptyRoot();
    // RFC 9162 splits at the largest power of two, so the root nests the peaks from the right.
    for (let i = this.#peaks.length - 2; i >= 0; i--) root = nodeHash(this.#peaks[i]!, root);
    return Buffer.from(root);
  }

  peaks(): Buffer[] {
    return this.#peaks.map((peak) => Buffer.from(peak));
  }
}

/** MTH(D[n]) of RFC 9162 §2.1.1, in one pass with O(log n) hashes held. */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Buffer {
  const accumulator = new MerkleAccumulator();
  for (const hash of hashes) accumulator.append(hash);
  return accumulator.root();
}

/**
 * PATH(index, D[treeSize]) of RFC 9162 §2.1.3.1, nearest sibling first. Reads every other leaf hash, or
 * at most about 2 log2(treeSize) node hashes when `nodeHashAt` has them all.
 */
export function inclusionProof(
  index: number,
  treeSize: number,
  getLeafHash: LeafHashAt,
  nodeHashAt?: NodeHashAt,
): Buffer[] {
  if (!isSize(treeSize) || !isSize(index) || index >= treeSize) {
    throw new RangeError(`no leaf ${index} in a tree of ${treeSize} leaves`);
  }
  const subtreeHash = subtreeHasher(getLeafHash, nodeHashAt);
  const siblings: Buffer[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (index < split) {
      siblings.push(subtreeHash(split, end));
      end = split;
    } else {
      siblings.push(subtreeHash(start, split));
      start = split;
    }
  }
  return siblings.reverse();
}

/**
 * PROOF(first, D[second]) of RFC 9162 §2.1.4.1 (SUBPROOF with b = true). Empty when first is 0 or equals
 * second: those need no proof.
 */
export function consistencyProof(
  first: number,
  second: number,
  getLeafHash: LeafHashAt,
  nodeHashAt?: NodeHashAt,
): Buffer[] {
  if (!isSize(first) || !isSize(second) || first > second) {
    throw new RangeError(`no consistency proof from a tree of ${first} leaves to one of ${second}`);
  }
  if (first === 0 || first === second) return [];
  const subtreeHash = subtreeHasher(getLeafHash, nodeHashAt);
  const proof: Buffer[] = [];
  let start = 0;
  let end = second;
  let firstRootIsKnown = true;
  while (end !== first) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (first <= split) {
      proof.push(subtreeHash(split, end));
      end = split;
    } else {
      proof.push(subtreeHash(start, split));
      start = split;
      firstRootIsKnown = false;
    }
  }
  // The verifier already holds the first root; any other subtree the recursion ends on must be sent.
  if (!firstRootIsKnown) proof.push(subtreeHash(start, end));
  return proof.reverse();
}

/**
 * §2.1.3.2: whether `proof` shows `leafHash` at `index` in the tree of `treeSize` leaves with `root`. Any
 * malformed input, as a peer may send, is simply false.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !isProof(proof)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/**
 * §2.1.4.2: whether `proof` shows that the tree of `first` leaves with `firstRoot` is a prefix of the tree
 * of `second` leaves with `secondRoot`. Any malformed input, as a peer may send, is simply false.
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(first) || !isSize(second) || first > second) return false;
  if (!isHash(firstRoot) || !isHash(secondRoot) || !isProof(proof)) return false;
  // RFC 9162 covers only 0 < first < second; the edge cases need an empty proof, and a root claimed for the
  // empty tree must really be the empty tree's.
  if (first === 0) return proof.length === 0 && sameHash(firstRoot, EMPTY_ROOT);
  if (first === second) return proof.length === 0 && sameHash(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, firstRoot) && sameHash(sr, secondRoot);
}

/**
 * MTH(D[start:end]) for the ranges proofs ask for. Each such range starts on a multiple of the power of two
 * at or above its length, so it splits into complete subtrees of falling size whose hashes nest from the
 * right, as in MerkleAccumulator.root.
 */
function subtreeHasher(
  getLeafHash: LeafHashAt,
  nodeHashAt?: NodeHashAt,
): (start: number, end: number) => Buffer {
  const completeSubtreeHash = (level: number, index: number): Uint8Array => {
    const stored = nodeHashAt?.(level, index);
    if (stored !== undefined) return requireHash(stored, `stored node ${level}/${index}`);
    const start = index * 2 ** level;
    if (level === 0) return requireHash(getLeafHash(start), `leaf hash ${start}`);
    // With nothing stored the leaves are folded in one loop rather than one call per inner node.
    if (nodeHashAt === undefined) return hashLeafRange(start, 2 ** level, getLeafHash);
    return nodeHash(completeSubtreeHash(level - 1, 2 * index), completeSubtreeHash(level - 1, 2 * index + 1));
  };
  return (start, end) => {
    const parts: Uint8Array[] = [];
    for (let at = start; at < end; ) {
      let level = 0;
      while (2 ** (level + 1) <= end - at) level++;
      parts.push(completeSubtreeHash(level, at / 2 ** level));
      at += 2 ** level;
    }
    let hash = parts.pop()!;
    while (parts.length > 0) hash = nodeHash(parts.pop()!, hash);
    // A copy, so that a proof never shares memory with the caller's storage.
    return Buffer.from(hash);
  };
}

function hashLeafRange(start: number, count: number, getLeafHash: LeafHashAt): Buffer {
  const accumulator = new MerkleAccumulator();
  for (let i = start; i < start + count; i++) accumulator.append(getLeafHash(i));
  return accumulator.root();
}

function requireHash(hash: Uint8Array, what: string): Uint8Array {
  if (!isHash(hash)) throw new RangeError(`a ${what} is ${HASH_LENGTH} bytes`);
  return hash;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_LENGTH;
}

function isProof(value: unknown): value is readonly Uint8Array[] {
  if (!Array.isArray(value) || value.length > MAX_PROOF_LENGTH) return false;
  // Not `every`, which skips the holes of a sparse array.
  for (let i = 0; i < value.length; i++) if (!isHash(value[i])) return false;
  return true;
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

// Sizes may pass 2^32, where the bitwise operators would truncate them, so bits are taken arithmetically.
function half(n: number): number {
  return Math.floor(n / 2);
}

function setBits(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = half(rest)) count += rest % 2;
  return count;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && largestPowerOfTwoAtMost(n) === n;
}

function largestPowerOfTwoAtMost(n: number): number {
  let power = 1;
  while (power * 2 <= n) power *= 2;
  return power;
}

/** The k of RFC 9162 §2.1.1: the largest power of two smaller than n, for n >= 2. */
function largestPowerOfTwoBelow(n: number): number {
  return largestPowerOfTwoAtMost(n - 1);
}
