#!/usr/bin/env node
// Runtime dependencies stay on maintained majors: fails, listing each one, when a runtime dependency has a
// newer major (wanted or latest) than the one installed and CHANGELOG.md's "Dependencies held back" section
// does not name it. Exit codes: 0 fine, 1 a dependency is behind without a reason, 2 the registry could not
// be reached (scripts/test.mjs skips the check then, outside CI).
//
// `npm outdated` only offers versions whose `engines` allow the Node.js running it, so on Node.js 20 it does
// not show majors that need Node.js 22 (kysely 0.29, better-sqlite3 13): those are listed in the held-back
// section all the same, and the check names them as soon as it runs on a newer Node.js.
//
//   node scripts/check-outdated.mjs [--outdated <file.json>] [--changelog <CHANGELOG.md>] [--package <package.json>]
//
// `--outdated` reads `npm outdated --json` output from a file instead of asking the registry (for tests).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const heldBackHeading = /^##\s+Dependencies held back\s*$/im;
const unreachableCodes = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'FETCH_ERROR',
]);

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}

/** The part of a version a breaking change moves: the major, or for 0.x the minor (0.28 → 0.29 breaks). */
function breakingLine(version) {
  const [major = 0, minor = 0, patch = 0] = String(version).split(/[.+-]/).map(Number);
  if (major > 0) return [major];
  if (minor > 0) return [0, minor];
  return [0, 0, patch];
}

function isAhead(candidate, installed) {
  if (!candidate || !installed) return false;
  const a = breakingLine(candidate);
  const b = breakingLine(installed);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? -1) !== (b[i] ?? -1)) return (a[i] ?? -1) > (b[i] ?? -1);
  }
  return false;
}

/** The text of the held-back section: from its heading to the next heading of the same level. */
function heldBackSection(changelog) {
  const start = changelog.search(heldBackHeading);
  if (start === -1) return '';
  const rest = changelog.slice(start).split('\n').slice(1).join('\n');
  const end = rest.search(/^##\s/m);
  return end === -1 ? rest : rest.slice(0, end);
}

function mentions(section, name) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`(^|[^\\w@/.-])${escaped}($|[^\\w/-])`, 'm').test(section);
}

function npmOutdated() {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['outdated', '--json', '--omit=dev', '--fetch-retries=0', '--fetch-timeout=15000'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      // npm exits with 1 whenever something is outdated: the JSON says what, or why it failed.
      (error, stdout, stderr) => resolve({ error, stdout, stderr }),
    );
  });
}

async function outdatedReport() {
  const file = option('--outdated');
  if (file) return JSON.parse(await readFile(file, 'utf8'));
  const { error, stdout, stderr } = await npmOutdated();
  let parsed;
  try {
    parsed = JSON.parse(stdout || '{}');
  } catch {
    parsed = null;
  }
  const code = parsed?.error?.code ?? (parsed === null ? error?.code : undefined);
  if (error?.killed || unreachableCodes.has(code) || /ENOTFOUND|EAI_AGAIN|ETIMEDOUT/.test(stderr)) {
    console.error(
      `The npm registry could not be reached (${code ?? 'timed out'}); dependencies not checked.`,
    );
    process.exit(2);
  }
  if (parsed === null || parsed.error) {
    console.error(`npm outdated failed: ${parsed?.error?.summary || stderr.trim() || error?.message}`);
    process.exit(1);
  }
  return parsed;
}

const manifest = JSON.parse(await readFile(option('--package', path.join(root, 'package.json')), 'utf8'));
const runtime = new Set(Object.keys(manifest.dependencies ?? {}));
const changelogPath = option('--changelog', path.join(root, 'CHANGELOG.md'));
const changelog = await readFile(changelogPath, 'utf8').catch(() => '');
const section = heldBackSection(changelog);
const outdated = await outdatedReport();

const unexplained = [];
for (const [name, info] of Object.entries(outdated)) {
  // npm lists some development packages even with --omit=dev; only what runs in production counts here.
  if (!runtime.has(name)) continue;
  const target = [info.latest, info.wanted].find((version) => isAhead(version, info.current));
  if (target && !mentions(section, name)) unexplained.push(`${name} ${info.current} → ${target}`);
}

if (unexplained.length > 0) {
  console.error(
    `These runtime dependencies are a major behind, and ${path.basename(changelogPath)} does not say why ` +
      'under "## Dependencies held back" (upgrade them, or name each there with its reason):',
  );
  for (const line of unexplained) console.error(`  - ${line}`);
  process.exit(1);
}
console.log('Runtime dependencies: each is on its latest major or held back with a reason in CHANGELOG.md.');
