import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { keyFileName, loadOrCreateSigningKey } from './deployment-key.js';
import { openNote, parseVerifierKey, signNote, verifierKeyText } from './signed-note.js';

function withDataDir(run: (dataDir: string) => void) {
  return () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-key-'));
    try {
      run(dataDir);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

test(
  'the first start makes a key only its owner can read, and later starts use the same key',
  withDataDir((dataDir) => {
    const first = loadOrCreateSigningKey(dataDir, 'tally.example.org');
    const again = loadOrCreateSigningKey(dataDir, 'tally.example.org');
    assert.equal(statSync(path.join(dataDir, keyFileName)).mode & 0o777, 0o600);
    assert.deepEqual(Buffer.from(again.publicKey), Buffer.from(first.publicKey));
  }),
);

test(
  'a note signed with the stored key verifies with the published verifier key',
  withDataDir((dataDir) => {
    const signer = loadOrCreateSigningKey(dataDir, 'tally.example.org');
    const verifier = parseVerifierKey(verifierKeyText(signer.name, signer.publicKey));
    assert.equal(openNote(signNote('hello\n', signer), verifier), 'hello\n');
  }),
);
