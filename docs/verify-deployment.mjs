#!/usr/bin/env node
// Checks a Tally deployment's public record from the outside, with nothing but Node.js (≥ 20) and the
// published formats: the checkpoint's Ed25519 signature (C2SP signed note), every entry's leaf and content
// hash, and the RFC 9162 Merkle root. Usage: node verify-deployment.mjs https://tally.example.org [verifier-key]
// Give the verifier key you noted earlier to be sure it is still the same deployment; without it, the key the
// deployment serves now is trusted.
import { createHash, createPublicKey, verify } from 'node:crypto';

const [base, pinnedKey] = process.argv.slice(2);
if (!base) {
  console.error('usage: node verify-deployment.mjs URL [verifier-key]');
  process.exit(2);
}
const get = async (path) => {
  const response = await fetch(new URL(path, base));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
};
const sha256 = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const fail = (message) => {
  console.error(`FAILED: ${message}`);
  process.exit(1);
};

// 1. The key: "name+keyid+base64(0x01 ‖ Ed25519 public key)"; the key id is the first 4 bytes of
//    SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
const key = await (await get('/api/v1/ledger/key')).json();
const verifierKey = pinnedKey ?? key.verifier_key;
const [name, keyIdHex, keyBase64] = [
  verifierKey.slice(0, verifierKey.indexOf('+')),
  ...verifierKey.slice(verifierKey.indexOf('+') + 1).split(/\+(.*)/s, 2),
];
const rawKey = Buffer.from(keyBase64, 'base64');
if (rawKey.length !== 33 || rawKey[0] !== 0x01) fail('the verifier key is not an Ed25519 key');
const publicKey = rawKey.subarray(1);
const keyId = sha256(name, Buffer.from([0x0a, 0x01]), publicKey).subarray(0, 4);
if (keyId.toString('hex') !== keyIdHex) fail('the verifier key id does not match its key');

// 2. The checkpoint: "origin\nsize\nbase64(root)\n", a blank line, then "— name base64(keyid ‖ signature)".
const note = await (await get('/api/v1/ledger/checkpoint')).text();
const split = note.lastIndexOf('\n\n');
const text = note.slice(0, split + 1);
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
const signed = note
  .slice(split + 2)
  .split('\n')
  .filter((line) => line.startsWith(`\u2014 ${name} `))
  .map((line) => Buffer.from(line.slice(name.length + 3), 'base64'))
  .some(
    (sig) =>
      sig.length === 68 &&
      sig.subarray(0, 4).equals(keyId) &&
      verify(
        null,
        Buffer.from(text),
        createPublicKey({ key: spki, format: 'der', type: 'spki' }),
        sig.subarray(4),
      ),
  );
if (!signed) fail('the checkpoint is not signed by the key');
const [origin, sizeLine, rootLine] = text.split('\n');
if (origin !== name) fail(`the checkpoint names origin ${origin}, the key ${name}`);
const size = Number(sizeLine);

// 3. Every entry: the leaf names its content by SHA-256; the leaf hash is SHA-256(0x00 ‖ leaf).
const leafHashes = [];
let redacted = 0;
while (leafHashes.length < size) {
  const page = await (await get(`/api/v1/ledger/entries?start=${leafHashes.length}&end=${size}`)).json();
  if (page.entries.length === 0) fail(`the log stops at ${leafHashes.length} of ${size} entries`);
  for (const entry of page.entries) {
    if (entry.index !== leafHashes.length) fail(`expected entry ${leafHashes.length}, got ${entry.index}`);
    const leaf = Buffer.from(entry.leaf, 'base64');
    const fields = JSON.parse(leaf.toString('utf8'));
    if (entry.content === null) redacted++;
    else if (sha256(Buffer.from(entry.content, 'base64')).toString('hex') !== fields.content_sha256) {
      fail(`entry ${entry.index}: its content does not match the hash in its leaf`);
    }
    leafHashes.push(sha256(Buffer.from([0x00]), leaf));
  }
}

// 4. The Merkle tree hash of RFC 9162: split at the largest power of two below n; nodes are SHA-256(0x01 ‖ l ‖ r).
function treeHash(hashes) {
  if (hashes.length === 0) return sha256();
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return sha256(Buffer.from([0x01]), treeHash(hashes.slice(0, k)), treeHash(hashes.slice(k)));
}
if (treeHash(leafHashes).toString('base64') !== rootLine)
  fail('the entries do not add up to the signed root');
console.log(
  `ok: ${origin}, ${size} entries (${redacted} redacted) match the checkpoint signed by ${name}+${keyIdHex}`,
);
