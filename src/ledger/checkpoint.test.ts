import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { checkpointText, openCheckpoint, signCheckpoint } from './checkpoint.js';
import { parseVerifierKey, signerFromPrivateKey, signNote, verifierKeyText } from './signed-note.js';

const origin = 'tally.example.org/log';
const root = createHash('sha256').update('').digest();
const signer = signerFromPrivateKey(origin, generateKeyPairSync('ed25519').privateKey);
const verifier = parseVerifierKey(verifierKeyText(signer.name, signer.publicKey));

test('a checkpoint is the origin, the tree size and the base64 root, one per line', () => {
  assert.equal(
    checkpointText({ origin, treeSize: 0, rootHash: root }),
    'tally.example.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n',
  );
});

test('a signed checkpoint reads back as written', () => {
  const note = signCheckpoint({ origin, treeSize: 42, rootHash: root }, signer);
  assert.deepEqual(openCheckpoint(note, verifier, origin), { origin, treeSize: 42, rootHash: root });
});

test('a checkpoint for another origin is refused even when the signature is good', () => {
  const note = signCheckpoint({ origin, treeSize: 42, rootHash: root }, signer);
  assert.equal(openCheckpoint(note, verifier, 'other.example.org/log'), null);
});

test('a signed text that is not a checkpoint is refused', () => {
  assert.equal(openCheckpoint(signNote(`${origin}\nforty-two\nAAAA\n`, signer), verifier, origin), null);
});
