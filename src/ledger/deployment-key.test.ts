import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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

test('processes starting together on a new data directory all end up with the one same key', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-key-'));
  try {
    // Each round makes a fresh directory, so every round races to create the key.
    for (let round = 0; round < 4; round++) {
      const dir = path.join(dataDir, `round-${round}`);
      const startAt = Date.now() + 1200;
      const keys = await Promise.all(
        Array.from({ length: 6 }, () => publicKeyFromAnotherProcess(dir, startAt)),
      );
      assert.equal(new Set(keys).size, 1, `round ${round}: ${keys.join(' ')}`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Loads the key in a process of its own, at `startAt` (ms since the epoch) so that the processes race. */
function publicKeyFromAnotherProcess(dataDir: string, startAt: number): Promise<string> {
  const script = `
    import { loadOrCreateSigningKey } from ${JSON.stringify(new URL('./deployment-key.ts', import.meta.url).href)};
    while (Date.now() < ${startAt});
    const signer = loadOrCreateSigningKey(${JSON.stringify(dataDir)}, 'tally.example.org');
    process.stdout.write(Buffer.from(signer.publicKey).toString('base64'));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout)),
    );
  });
}
