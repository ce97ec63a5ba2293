import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { projectRoot } from '../../src/paths.js';

const script = path.join(projectRoot, 'scripts', 'check-outdated.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-outdated-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const manifest = {
  dependencies: { fastify: '^5.1.0', kysely: '~0.28.0', pino: '^10.0.0' },
  devDependencies: { typescript: '~6.0.0' },
};

function changelog(heldBack: string, unreleased = ''): string {
  return `# Changelog\n\n## Unreleased\n\n${unreleased}\n\n## Dependencies held back\n\n${heldBack}\n`;
}

let files = 0;

/** Runs the check on an `npm outdated --json` answer and a CHANGELOG.md, without asking the registry. */
function check(outdated: Record<string, object>, changelogText: string) {
  files += 1;
  const outdatedFile = path.join(dir, `outdated-${files}.json`);
  const changelogFile = path.join(dir, `CHANGELOG-${files}.md`);
  const packageFile = path.join(dir, `package-${files}.json`);
  writeFileSync(outdatedFile, JSON.stringify(outdated));
  writeFileSync(changelogFile, changelogText);
  writeFileSync(packageFile, JSON.stringify(manifest));
  const result = spawnSync(
    process.execPath,
    [script, '--outdated', outdatedFile, '--changelog', changelogFile, '--package', packageFile],
    { encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const pinoBehind = { pino: { current: '10.4.0', wanted: '10.4.0', latest: '11.0.1' } };

test('a runtime dependency a major behind without a reason fails the check and is named', () => {
  const result = check(pinoBehind, changelog('- `kysely` ~0.28: 0.29 needs Node.js 22.'));
  assert.equal(result.status, 1, result.output);
  assert.match(result.output, /pino 10\.4\.0 → 11\.0\.1/);
});

test('a runtime dependency named in the held-back section passes the check', () => {
  const result = check(pinoBehind, changelog('- `pino` 10: 11 needs Node.js 22.'));
  assert.equal(result.status, 0, result.output);
});

test('a dependency named only outside the held-back section still fails the check', () => {
  const result = check(pinoBehind, changelog('- nothing held back', '- pino logs the request id'));
  assert.equal(result.status, 1, result.output);
});

test('a newer 0.x minor counts as a new major', () => {
  const kysely = { kysely: { current: '0.28.19', wanted: '0.28.20', latest: '0.29.9' } };
  assert.equal(check(kysely, changelog('')).status, 1);
  assert.equal(check(kysely, changelog('- `kysely` ~0.28: 0.29 needs Node.js 22.')).status, 0);
});

test('a wanted version a major ahead of the installed one fails the check too', () => {
  const stale = { fastify: { current: '4.28.0', wanted: '5.2.0', latest: '5.2.0' } };
  assert.equal(check(stale, changelog('')).status, 1);
});

test('newer minors and patches, and development dependencies, pass the check', () => {
  const result = check(
    {
      fastify: { current: '5.1.0', wanted: '5.2.0', latest: '5.2.0' },
      typescript: { current: '6.0.3', wanted: '6.0.3', latest: '7.0.2' },
    },
    changelog(''),
  );
  assert.equal(result.status, 0, result.output);
});

test('a name that only contains the dependency name does not count as naming it', () => {
  const result = check(pinoBehind, changelog('- `pino-pretty` 12: not used in production.'));
  assert.equal(result.status, 1, result.output);
});
