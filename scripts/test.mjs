#!/usr/bin/env node
// `npm test`: type-check, lint, build the web app, then every test file against SQLite and PostgreSQL,
// in headless Chromium and against an MQTT broker. Outside CI a missing service skips its suites and says
// so; with CI=true a missing service fails the run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { connectAsync } from 'mqtt';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const only = process.argv.slice(2);

function run(label, command, args, env = process.env) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✗ ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

async function postgresProblem() {
  const url = process.env.TALLY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${url} is not reachable (${error.message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function mqttProblem() {
  const url = process.env.TALLY_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  try {
    const client = await connectAsync(url, { connectTimeout: 3000, reconnectPeriod: 0 });
    await client.endAsync();
    return null;
  } catch (error) {
    return `no MQTT broker answers at ${url} (${error.message}; package mosquitto)`;
  }
}

function chromiumProblem() {
  const executable = process.env.TALLY_CHROMIUM ?? '/usr/bin/chromium';
  return existsSync(executable) ? null : `Chromium is not installed at ${executable}`;
}

function kannelProblem() {
  const missing = ['/usr/sbin/bearerbox', '/usr/sbin/smsbox', '/usr/lib/kannel/test/fakesmsc'].filter(
    (file) => !existsSync(file),
  );
  return missing.length === 0
    ? null
    : `Kannel is not installed (no ${missing.join(', ')}; packages kannel, kannel-extras)`;
}

function dovecotProblem() {
  return existsSync('/usr/sbin/dovecot')
    ? null
    : 'Dovecot is not installed (no /usr/sbin/dovecot; package dovecot-imapd)';
}

/** Runtime dependencies on maintained majors, or held back with a reason in CHANGELOG.md. */
function checkDependencies() {
  const label = 'runtime dependencies on maintained majors';
  console.log(`\n▶ ${label}`);
  const result = spawnSync(process.execPath, ['scripts/check-outdated.mjs'], { cwd: root, stdio: 'inherit' });
  // 2: the registry could not be reached, which only CI must not shrug off.
  if (result.status === 2 && !ci) {
    skipped.push(`${label}: the npm registry could not be reached`);
    return;
  }
  if (result.status !== 0) {
    console.error(`✗ ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

const skipped = [];
const env = { ...process.env };
const pgProblem = await postgresProblem();
const browserProblem = chromiumProblem();
for (const [suite, problem, variable] of [
  ['PostgreSQL suites', pgProblem, 'TALLY_TEST_SKIP_POSTGRES'],
  ['browser suites', browserProblem, 'TALLY_TEST_SKIP_BROWSER'],
  ['Kannel suites', kannelProblem(), 'TALLY_TEST_SKIP_KANNEL'],
  ['IMAP suites', dovecotProblem(), 'TALLY_TEST_SKIP_DOVECOT'],
  ['MQTT suites', await mqttProblem(), 'TALLY_TEST_SKIP_MQTT'],
]) {
  if (!problem) continue;
  if (ci) {
    console.error(`✗ CI=true and ${problem}: the ${suite} are mandatory in CI.`);
    process.exit(1);
  }
  skipped.push(`${suite}: ${problem}`);
  env[variable] = problem;
}

if (only.length === 0) {
  run('type-check (server, tests)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('type-check (web)', 'npx', ['tsc', '-p', 'web/tsconfig.json', '--noEmit']);
  run('type-check (web build config)', 'npx', ['tsc', '-p', 'web/tsconfig.node.json', '--noEmit']);
  run('lint', 'npx', ['biome', 'check', '.']);
  checkDependencies();
}
if (!browserProblem) run('build the web app', 'npm', ['run', '--silent', 'build:web']);

const files =
  only.length > 0 ? only : [...testFiles(path.join(root, 'src')), ...testFiles(path.join(root, 'test'))];
if (skipped.length > 0) {
  console.log('\nSkipping, because a service is missing on this machine:');
  for (const line of skipped) console.log(`  - ${line}`);
}
run(
  `tests (${files.length} files)`,
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  env,
);
if (skipped.length > 0) {
  console.log('\nSkipped suites (not run):');
  for (const line of skipped) console.log(`  - ${line}`);
}
