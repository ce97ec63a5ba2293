import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import {
  openNote,
  parseVerifierKey,
  signerFromPrivateKey,
  signNote,
  verifierKeyText,
} from './signed-note.js';

// The example of Go's golang.org/x/mod/sumdb/note package documentation, an independent implementation.
const goVerifierKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const goText =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const goSignature =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

test("a note signed by Go's note package verifies with its verifier key", () => {
  const note = `${goText}\n${goSignature}`;
  assert.equal(openNote(note, parseVerifierKey(goVerifierKey)), goText);
});

test('a note whose text was changed by one character does not verify', () => {
  const note = `${goText.replace('answer', 'Answer')}\n${goSignature}`;
  assert.equal(openNote(note, parseVerifierKey(goVerifierKey)), null);
});

test('a verifier key whose id does not match its key is refused', () => {
  assert.throws(() => parseVerifierKey(goVerifierKey.replace('c74f20a3', 'c74f20a4')), /does not match/);
});

test('a note Tally signs verifies with the verifier key Tally publishes', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = signerFromPrivateKey('tally.example.org', privateKey);
  const note = signNote('tally.example.org\n3\nq6qWnjE0oSj0bM6Z+mQj3iLsMyMxq7ujs4b3v4Hr0pc=\n', signer);
  const verifier = parseVerifierKey(verifierKeyText(signer.name, signer.publicKey));
  assert.equal(
    openNote(note, verifier),
    'tally.example.org\n3\nq6qWnjE0oSj0bM6Z+mQj3iLsMyMxq7ujs4b3v4Hr0pc=\n',
  );
});

test('a note signed by another key with the same name does not verify', () => {
  const signer = signerFromPrivateKey('tally.example.org', generateKeyPairSync('ed25519').privateKey);
  const impostor = signerFromPrivateKey('tally.example.org', generateKeyPairSync('ed25519').privateKey);
  const note = signNote('tally.example.org\n1\nAAAA\n', impostor);
  assert.equal(openNote(note, parseVerifierKey(verifierKeyText(signer.name, signer.publicKey))), null);
});

test('a note carrying a witness signature besides ours still verifies with ours', () => {
  const signer = signerFromPrivateKey('tally.example.org', generateKeyPairSync('ed25519').privateKey);
  const witness = signerFromPrivateKey('witness.example.net', generateKeyPairSync('ed25519').privateKey);
  const text = 'tally.example.org\n1\nAAAA\n';
  const both = `${signNote(text, witness)}${signNote(text, signer).slice(text.length + 1)}`;
  assert.equal(openNote(both, parseVerifierKey(verifierKeyText(signer.name, signer.publicKey))), text);
});

test('a verifier key whose base64 holds a "+" is read whole', () => {
  for (;;) {
    const signer = signerFromPrivateKey('tally.example.org', generateKeyPairSync('ed25519').privateKey);
    const text = verifierKeyText(signer.name, signer.publicKey);
    if (!text.split('+').slice(2).join('+').includes('+')) continue;
    assert.deepEqual(Buffer.from(parseVerifierKey(text).publicKey), Buffer.from(signer.publicKey));
    return;
  }
});
