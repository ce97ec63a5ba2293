import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  MerkleAccumulator,
  type NodeHashAt,
  nodeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// Published test data of an independent implementation, transparency-dev/merkle (Go), copied value for
// value. LeafInputs, NodeHashes, RootHashes and CompactTrees come from testonly/constants.go.
const referenceLeaves = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((leaf) => Buffer.from(leaf, 'hex'));

// NodeHashes: level 0 holds the leaf hashes, each higher level the complete subtrees above them.
const referenceNodes = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];

// RootHashes, indexed by tree size from the empty tree (EmptyRootHash) up.
const referenceRoots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const node = (level: number, index: number): string => referenceNodes[level]![index]!;

// CompactTrees: the complete subtrees, largest first, that a tree of each size from 0 up is made of.
const referenceCompactTrees = [
  [],
  [node(0, 0)],
  [node(1, 0)],
  [node(1, 0), node(0, 2)],
  [node(2, 0)],
  [node(2, 0), node(0, 4)],
  [node(2, 0), node(1, 2)],
  [node(2, 0), node(1, 2), node(0, 6)],
  [node(3, 0)],
];

// testonly/reference_test.go, TestRefInclusionProof. proof/verify_test.go publishes the same paths (leaf
// numbers counted from 1 there) for leaves 0 and 5 of 8, 2 of 3 and 1 of 5.
const referenceInclusionProofs: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  { index: 0, size: 2, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7'] },
  { index: 1, size: 2, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

// testonly/reference_test.go, TestRefConsistencyProof (1→1, 1→8, 2→5, 6→8), which proof/verify_test.go
// repeats in consistencyProofs and extends with 6→7.
const referenceConsistencyProofs: { first: number; second: number; proof: string[] }[] = [
  { first: 1, second: 1, proof: [] },
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 6,
    second: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

// testonly/vectors_test.go: the accumulated "Subtree Test Vectors" of draft-ietf-plants-merkle-tree-certs,
// a rolling SHA-256 over every subtree [start, end) of the tree of leaves 0x00, 0x01, …, 0x81 (130 leaves)
// that starts at 0 or on a multiple of the power of two at or above its length.
const subtreeVectorSize = 130;
const subtreeHashVector = '94a95384a8c69acea9b50d035a58285b3a777cb7a724005faa5e1f1e1190007f';
const subtreeInclusionProofVector = 'ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f';

const hex = (hashes: readonly Uint8Array[]): string[] => hashes.map((h) => Buffer.from(h).toString('hex'));
const fromHex = (hashes: readonly string[]): Buffer[] => hashes.map((h) => Buffer.from(h, 'hex'));

const referenceLeafHashes = referenceLeaves.map(leafHash);
const referenceLeafHashAt = (i: number): Uint8Array => referenceLeafHashes[i]!;
const referenceRoot = (size: number): Buffer => Buffer.from(referenceRoots[size]!, 'hex');

// Local trees for the exhaustive checks: sizes up to 64 cover every shape of path up to six levels.
const leaves = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const leafHashAt = (i: number): Uint8Array => leaves[i]!;
const roots = Array.from({ length: 65 }, (_, size) => rootFromLeafHashes(leaves.slice(0, size)));
const rootOf = (size: number): Buffer => roots[size]!;

function flipBit(proof: readonly Uint8Array[], element: number, bit: number): Buffer[] {
  const flipped = proof.map((h) => Buffer.from(h));
  flipped[element]![bit >> 3]! ^= 1 << (bit & 7);
  return flipped;
}

/** Every node hash of a tree, as a storage layer would keep them, by (level, index). */
function storeAllNodes(leafHashes: readonly Uint8Array[]): Uint8Array[][] {
  const levels: Uint8Array[][] = [[...leafHashes]];
  for (let below = levels[0]!; below.length > 1; ) {
    const level: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i]!, below[i + 1]!));
    levels.push(level);
    below = level;
  }
  return levels;
}

test('leaf hashes of the reference leaves are the published ones', () => {
  assert.deepEqual(hex(referenceLeafHashes), referenceNodes[0]);
});

test('the empty root is the SHA-256 of nothing, as published', () => {
  assert.equal(emptyRoot().toString('hex'), referenceRoots[0]);
});

test('the root of every prefix of the reference leaves is the published root for its size', () => {
  for (let size = 0; size <= referenceLeaves.length; size++) {
    assert.equal(
      rootFromLeafHashes(referenceLeafHashes.slice(0, size)).toString('hex'),
      referenceRoots[size],
    );
  }
});

test('node hashes of the reference tree are the published complete subtrees', () => {
  const stored = storeAllNodes(referenceLeafHashes);
  assert.deepEqual(stored.map(hex), referenceNodes);
});

test('the accumulator holds exactly the published compact range after each append', () => {
  const accumulator = new MerkleAccumulator();
  assert.deepEqual(hex(accumulator.peaks()), referenceCompactTrees[0]);
  for (const [i, hash] of referenceLeafHashes.entries()) {
    accumulator.append(hash);
    assert.deepEqual(hex(accumulator.peaks()), referenceCompactTrees[i + 1], `after ${i + 1} leaves`);
  }
});

test('inclusion proofs of the reference tree are the published paths', () => {
  for (const { index, size, proof } of referenceInclusionProofs) {
    assert.deepEqual(
      hex(inclusionProof(index, size, referenceLeafHashAt)),
      proof,
      `leaf ${index} of ${size}`,
    );
  }
});

test('the published inclusion proofs verify against the published roots', () => {
  for (const { index, size, proof } of referenceInclusionProofs) {
    const verified = verifyInclusion(
      referenceLeafHashes[index]!,
      index,
      size,
      fromHex(proof),
      referenceRoot(size),
    );
    assert.ok(verified, `leaf ${index} of ${size}`);
  }
});

test('consistency proofs of the reference tree are the published ones', () => {
  for (const { first, second, proof } of referenceConsistencyProofs) {
    assert.deepEqual(
      hex(consistencyProof(first, second, referenceLeafHashAt)),
      proof,
      `${first} to ${second}`,
    );
  }
});

test('the published consistency proofs verify against the published roots', () => {
  for (const { first, second, proof } of referenceConsistencyProofs) {
    const verified = verifyConsistency(
      first,
      second,
      referenceRoot(first),
      referenceRoot(second),
      fromHex(proof),
    );
    assert.ok(verified, `${first} to ${second}`);
  }
});

test('subtree hashes over 130 leaves reproduce the published accumulated vector', () => {
  const hashes = Array.from({ length: subtreeVectorSize }, (_, i) => leafHash(Uint8Array.of(i)));
  const rolling = createHash('sha256');
  for (const [start, end] of validSubtrees(subtreeVectorSize)) {
    rolling.update(`[${start}, ${end}) ${rootFromLeafHashes(hashes.slice(start, end)).toString('hex')}\n`);
  }
  assert.equal(rolling.digest('hex'), subtreeHashVector);
});

test('inclusion proofs within subtrees over 130 leaves reproduce the published accumulated vector', () => {
  const hashes = Array.from({ length: subtreeVectorSize }, (_, i) => leafHash(Uint8Array.of(i)));
  const rolling = createHash('sha256');
  for (const [start, end] of validSubtrees(subtreeVectorSize)) {
    for (let index = start; index < end; index++) {
      const proof = inclusionProof(index - start, end - start, (i) => hashes[start + i]!);
      rolling.update(
        `${index} [${start}, ${end})${hex(proof)
          .map((h) => ` ${h}`)
          .join('')}\n`,
      );
    }
  }
  assert.equal(rolling.digest('hex'), subtreeInclusionProofVector);
});

/** The subtrees the published vectors enumerate, in their order. */
function* validSubtrees(size: number): Generator<[number, number]> {
  for (let end = 1; end <= size; end++) {
    for (let start = 0; start < end; start++) {
      let ceiling = 1;
      while (ceiling < end - start) ceiling *= 2;
      if (start === 0 || start % ceiling === 0) yield [start, end];
    }
  }
}

test('every leaf of every tree of 1 to 64 leaves has an inclusion proof that verifies', () => {
  for (let size = 1; size <= 64; size++) {
    for (let index = 0; index < size; index++) {
      const proof = inclusionProof(index, size, leafHashAt);
      assert.ok(
        verifyInclusion(leaves[index]!, index, size, proof, rootOf(size)),
        `leaf ${index} of ${size}`,
      );
    }
  }
});

test('every pair of tree sizes up to 64 has a consistency proof that verifies', () => {
  for (let second = 0; second <= 64; second++) {
    for (let first = 0; first <= second; first++) {
      const proof = consistencyProof(first, second, leafHashAt);
      assert.ok(
        verifyConsistency(first, second, rootOf(first), rootOf(second), proof),
        `${first} to ${second}`,
      );
    }
  }
});

test('flipping any one bit of an inclusion proof makes it fail', () => {
  for (let index = 0; index < 13; index++) {
    const proof = inclusionProof(index, 13, leafHashAt);
    for (let element = 0; element < proof.length; element++) {
      for (let bit = 0; bit < 256; bit++) {
        const flipped = flipBit(proof, element, bit);
        assert.equal(verifyInclusion(leaves[index]!, index, 13, flipped, rootOf(13)), false);
      }
    }
  }
});

test('flipping any one bit of a consistency proof makes it fail', () => {
  for (let first = 1; first < 13; first++) {
    const proof = consistencyProof(first, 13, leafHashAt);
    for (let element = 0; element < proof.length; element++) {
      for (let bit = 0; bit < 256; bit++) {
        const flipped = flipBit(proof, element, bit);
        assert.equal(verifyConsistency(first, 13, rootOf(first), rootOf(13), flipped), false);
      }
    }
  }
});

test('an inclusion proof does not verify for an index at or beyond the tree size', () => {
  const proof = inclusionProof(6, 7, leafHashAt);
  assert.equal(verifyInclusion(leaves[6]!, 7, 7, proof, rootOf(7)), false);
  assert.equal(verifyInclusion(leaves[6]!, 8, 7, proof, rootOf(7)), false);
});

test('an inclusion proof one hash short or one hash long does not verify', () => {
  const proof = inclusionProof(5, 13, leafHashAt);
  assert.equal(verifyInclusion(leaves[5]!, 5, 13, proof.slice(0, -1), rootOf(13)), false);
  assert.equal(verifyInclusion(leaves[5]!, 5, 13, [...proof, rootOf(13)], rootOf(13)), false);
  assert.equal(verifyInclusion(leaves[5]!, 5, 13, [rootOf(13), ...proof], rootOf(13)), false);
});

test('a shortened inclusion proof does not pass off an inner node as the root of the tree', () => {
  const proof = inclusionProof(0, 8, leafHashAt);
  // Without its last hash the path ends at the root of the first four leaves, which is a real node.
  assert.equal(verifyInclusion(leaves[0]!, 0, 8, proof.slice(0, -1), rootOf(4)), false);
  assert.equal(verifyInclusion(leaves[0]!, 0, 2, [], leaves[0]!), false);
});

test('an inclusion proof hashed on past the root does not verify against the hash it reaches', () => {
  const proof = inclusionProof(5, 13, leafHashAt);
  const extra = leaves[0]!;
  assert.equal(verifyInclusion(leaves[5]!, 5, 13, [...proof, extra], nodeHash(extra, rootOf(13))), false);
});

test('an inclusion proof does not verify for another leaf, index, size or root', () => {
  const proof = inclusionProof(5, 13, leafHashAt);
  assert.equal(verifyInclusion(leaves[4]!, 5, 13, proof, rootOf(13)), false);
  assert.equal(verifyInclusion(leaves[5]!, 4, 13, proof, rootOf(13)), false);
  assert.equal(verifyInclusion(leaves[5]!, 5, 14, proof, rootOf(14)), false);
  assert.equal(verifyInclusion(leaves[5]!, 5, 13, proof, rootOf(12)), false);
});

test('a single leaf is its own root and needs an empty inclusion proof', () => {
  assert.ok(verifyInclusion(leaves[0]!, 0, 1, [], leaves[0]!));
  assert.equal(verifyInclusion(leaves[0]!, 0, 1, [leaves[1]!], leaves[0]!), false);
});

test('malformed inclusion proof input from a peer is refused without throwing', () => {
  const proof = inclusionProof(5, 13, leafHashAt);
  const root = rootOf(13);
  const leaf = leaves[5]!;
  const junk = (value: unknown) => value as never;
  for (const size of [0, -13, 13.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, junk('13')]) {
    assert.equal(verifyInclusion(leaf, 5, size, proof, root), false, `size ${String(size)}`);
  }
  for (const index of [-1, 5.5, Number.NaN, junk('5'), junk(null)]) {
    assert.equal(verifyInclusion(leaf, index, 13, proof, root), false, `index ${String(index)}`);
  }
  assert.equal(verifyInclusion(leaf.subarray(1), 5, 13, proof, root), false);
  assert.equal(verifyInclusion(leaf, 5, 13, proof, Buffer.concat([root, Buffer.of(0)])), false);
  assert.equal(verifyInclusion(junk('leaf'), 5, 13, proof, root), false);
  assert.equal(verifyInclusion(leaf, 5, 13, junk(null), root), false);
  assert.equal(verifyInclusion(leaf, 5, 13, junk({ length: 4 }), root), false);
  assert.equal(verifyInclusion(leaf, 5, 13, [...proof.slice(0, -1), junk('hash')], root), false);
  assert.equal(verifyInclusion(leaf, 5, 13, [...proof.slice(0, -1), Buffer.alloc(31)], root), false);
  assert.equal(verifyInclusion(leaf, 5, 13, Array(proof.length), root), false);
  assert.equal(verifyInclusion(leaf, 5, 13, Array(100_000).fill(root), root), false);
});

test('a consistency proof does not verify when the first size is larger than the second', () => {
  const proof = consistencyProof(5, 13, leafHashAt);
  assert.equal(verifyConsistency(13, 5, rootOf(13), rootOf(5), proof), false);
  assert.equal(verifyConsistency(6, 5, rootOf(6), rootOf(5), []), false);
});

test('a consistency proof one hash short or one hash long does not verify', () => {
  const proof = consistencyProof(5, 13, leafHashAt);
  assert.equal(verifyConsistency(5, 13, rootOf(5), rootOf(13), proof.slice(0, -1)), false);
  assert.equal(verifyConsistency(5, 13, rootOf(5), rootOf(13), [...proof, rootOf(13)]), false);
  assert.equal(verifyConsistency(5, 13, rootOf(5), rootOf(13), [rootOf(5), ...proof]), false);
  assert.equal(verifyConsistency(5, 13, rootOf(5), rootOf(13), []), false);
});

test('a shortened consistency proof does not pass off an inner node as the second root', () => {
  const proof = consistencyProof(2, 8, leafHashAt);
  // Without its last hash the proof ends at the root of the first four leaves, which is a real node.
  assert.equal(verifyConsistency(2, 8, rootOf(2), rootOf(4), proof.slice(0, -1)), false);
});

test('a consistency proof hashed on past the second root does not verify against the hash it reaches', () => {
  // A first size that is not a power of two, so that the proof alone yields both roots.
  const proof = consistencyProof(3, 8, leafHashAt);
  const extra = leaves[0]!;
  const [first, second] = [nodeHash(extra, rootOf(3)), nodeHash(extra, rootOf(8))];
  assert.equal(verifyConsistency(3, 8, first, second, [...proof, extra]), false);
});

test('a consistency proof does not verify for other sizes or roots', () => {
  const proof = consistencyProof(5, 13, leafHashAt);
  assert.equal(verifyConsistency(4, 13, rootOf(4), rootOf(13), proof), false);
  assert.equal(verifyConsistency(5, 14, rootOf(5), rootOf(14), proof), false);
  assert.equal(verifyConsistency(5, 13, rootOf(6), rootOf(13), proof), false);
  assert.equal(verifyConsistency(5, 13, rootOf(5), rootOf(12), proof), false);
  assert.equal(verifyConsistency(5, 13, rootOf(13), rootOf(5), proof), false);
});

test('a tree is consistent with itself only through an empty proof and the same root', () => {
  assert.ok(verifyConsistency(8, 8, rootOf(8), rootOf(8), []));
  assert.equal(verifyConsistency(8, 8, rootOf(8), rootOf(7), []), false);
  assert.equal(verifyConsistency(8, 8, rootOf(8), rootOf(8), [rootOf(8)]), false);
});

test('the empty tree is consistent with any tree only under the empty root and an empty proof', () => {
  assert.ok(verifyConsistency(0, 13, emptyRoot(), rootOf(13), []));
  assert.equal(verifyConsistency(0, 13, rootOf(1), rootOf(13), []), false);
  assert.equal(verifyConsistency(0, 13, emptyRoot(), rootOf(13), [rootOf(13)]), false);
});

test('malformed consistency proof input from a peer is refused without throwing', () => {
  const proof = consistencyProof(5, 13, leafHashAt);
  const [first, second] = [rootOf(5), rootOf(13)];
  const junk = (value: unknown) => value as never;
  for (const size of [-1, 5.5, Number.NaN, 2 ** 53, junk('5'), junk(undefined)]) {
    assert.equal(verifyConsistency(size, 13, first, second, proof), false, `first ${String(size)}`);
    assert.equal(verifyConsistency(5, size, first, second, proof), false, `second ${String(size)}`);
  }
  assert.equal(verifyConsistency(5, 13, first.subarray(2), second, proof), false);
  assert.equal(verifyConsistency(5, 13, first, junk([1, 2, 3]), proof), false);
  assert.equal(verifyConsistency(5, 13, first, second, junk('proof')), false);
  assert.equal(verifyConsistency(5, 13, first, second, [...proof.slice(1), junk(7)]), false);
  assert.equal(verifyConsistency(5, 13, first, second, Array(proof.length)), false);
  assert.equal(verifyConsistency(5, 13, first, second, Array(100_000).fill(second)), false);
});

test('the accumulator root after each append is the root of the leaves so far', () => {
  const accumulator = new MerkleAccumulator();
  assert.deepEqual(accumulator.root(), emptyRoot());
  for (const [i, hash] of leaves.entries()) {
    accumulator.append(hash);
    assert.equal(accumulator.size, i + 1);
    assert.deepEqual(accumulator.root(), rootOf(i + 1), `after ${i + 1} leaves`);
  }
});

test('an accumulator resumed from a saved size and peaks goes on to the same roots', () => {
  const original = new MerkleAccumulator();
  for (const hash of leaves.slice(0, 23)) original.append(hash);
  const resumed = MerkleAccumulator.resume(original.size, original.peaks());
  for (const [i, hash] of leaves.slice(23).entries()) {
    resumed.append(hash);
    assert.deepEqual(resumed.root(), rootOf(24 + i));
  }
});

test('the accumulator keeps one hash per set bit of its size', () => {
  const accumulator = new MerkleAccumulator();
  for (let i = 0; i < 1000; i++) accumulator.append(leaves[i % 64]!);
  // 1000 is 0b1111101000.
  assert.equal(accumulator.peaks().length, 6);
});

test('resuming refuses peaks that cannot make a tree of the given size', () => {
  const peaks = referenceCompactTrees[7]!.map((h) => Buffer.from(h, 'hex'));
  assert.throws(() => MerkleAccumulator.resume(6, peaks), RangeError);
  assert.throws(() => MerkleAccumulator.resume(-1, []), RangeError);
  assert.throws(() => MerkleAccumulator.resume(7, [...peaks.slice(0, 2), Buffer.alloc(31)]), RangeError);
  assert.equal(MerkleAccumulator.resume(7, peaks).root().toString('hex'), referenceRoots[7]);
});

test('the accumulator is not changed when the caller reuses the buffer of an appended leaf', () => {
  const accumulator = new MerkleAccumulator();
  const buffer = Buffer.from(leaves[0]!);
  accumulator.append(buffer);
  buffer.fill(0);
  assert.deepEqual(accumulator.root(), rootOf(1));
});

test('the accumulator and the root refuse a leaf hash that is not 32 bytes', () => {
  assert.throws(() => new MerkleAccumulator().append(Buffer.alloc(33)), RangeError);
  assert.throws(() => rootFromLeafHashes([leaves[0]!, Buffer.alloc(16)]), RangeError);
  assert.throws(() => nodeHash(leaves[0]!, Buffer.alloc(31)), RangeError);
});

test('proofs built from stored node hashes equal those built from leaves and read no leaf', () => {
  const size = 1000;
  const hashes = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`stored ${i}`)));
  const levels = storeAllNodes(hashes);
  const stored: NodeHashAt = (level, index) => levels[level]?.[index];
  const noLeaves = () => assert.fail('a leaf was read although every node is stored');
  for (const index of [0, 1, 511, 512, 767, 998, 999]) {
    const fromLeaves = inclusionProof(index, size, (i) => hashes[i]!);
    assert.deepEqual(inclusionProof(index, size, noLeaves, stored), fromLeaves, `leaf ${index}`);
  }
  for (const first of [1, 2, 500, 512, 513, 999]) {
    const fromLeaves = consistencyProof(first, size, (i) => hashes[i]!);
    assert.deepEqual(consistencyProof(first, size, noLeaves, stored), fromLeaves, `${first} to ${size}`);
  }
});

test('proofs fall back to leaves and lower levels where node hashes are not stored', () => {
  const size = 300;
  const hashes = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`sparse ${i}`)));
  const levels = storeAllNodes(hashes);
  // Only every third level kept, and not the leaves, as a tiled store might.
  const sparse: NodeHashAt = (level, index) => (level % 3 === 2 ? levels[level]?.[index] : undefined);
  for (const index of [0, 150, 255, 256, 299]) {
    const fromLeaves = inclusionProof(index, size, (i) => hashes[i]!);
    assert.deepEqual(
      inclusionProof(index, size, (i) => hashes[i]!, sparse),
      fromLeaves,
      `leaf ${index}`,
    );
  }
  const fromLeaves = consistencyProof(37, size, (i) => hashes[i]!);
  assert.deepEqual(
    consistencyProof(37, size, (i) => hashes[i]!, sparse),
    fromLeaves,
  );
});

test('proofs and their verification work for trees of more than 2^32 leaves', () => {
  // Every leaf alike makes each complete subtree of a level hash alike, so any size can be stored cheaply.
  const uniform: Buffer[] = [leafHash(Buffer.from('same'))];
  for (let level = 1; level <= 40; level++) uniform.push(nodeHash(uniform[level - 1]!, uniform[level - 1]!));
  const stored: NodeHashAt = (level) => uniform[level];
  const rootAt = (size: number): Buffer => {
    const peaks: Buffer[] = [];
    for (let level = 40; level >= 0; level--)
      if (Math.floor(size / 2 ** level) % 2 === 1) peaks.push(uniform[level]!);
    return MerkleAccumulator.resume(size, peaks).root();
  };
  const [first, second, index] = [2 ** 32 + 1, 2 ** 33 + 5, 2 ** 32 + 3];
  const noLeaves = () => assert.fail('a leaf was read although every node is stored');
  const inclusion = inclusionProof(index, second, noLeaves, stored);
  assert.ok(verifyInclusion(uniform[0]!, index, second, inclusion, rootAt(second)));
  assert.equal(verifyInclusion(uniform[0]!, index, second, inclusion.slice(1), rootAt(second)), false);
  const consistency = consistencyProof(first, second, noLeaves, stored);
  assert.ok(verifyConsistency(first, second, rootAt(first), rootAt(second), consistency));
  assert.equal(verifyConsistency(first, second, rootAt(first), rootAt(second), consistency.slice(1)), false);
});

test('proofs are not made for a leaf outside the tree or from a larger tree to a smaller', () => {
  assert.throws(() => inclusionProof(5, 5, leafHashAt), RangeError);
  assert.throws(() => inclusionProof(0, 0, leafHashAt), RangeError);
  assert.throws(() => inclusionProof(-1, 5, leafHashAt), RangeError);
  assert.throws(() => consistencyProof(6, 5, leafHashAt), RangeError);
  assert.throws(() => consistencyProof(1.5, 5, leafHashAt), RangeError);
});

test('each append returns the roots of the complete subtrees the new leaf closes, lowest first', () => {
  const accumulator = new MerkleAccumulator();
  leaves.forEach((hash, index) => {
    const closed = accumulator.append(hash);
    const expected: Buffer[] = [];
    for (let level = 1; (index + 1) % 2 ** level === 0; level++) {
      expected.push(rootFromLeafHashes(leaves.slice(index + 1 - 2 ** level, index + 1)));
    }
    assert.deepEqual(closed, expected, `leaf ${index}`);
  });
});
