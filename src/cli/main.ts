import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isRole, type Role, roles } from '../accounts/roles.js';
import { channelKinds } from '../channels/channel.js';
import { systemClock } from '../clock.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { type Db, openDatabase } from '../db/database.js';

import { migrateToLatest } from '../db/migrate.js';
import { TallyError } from '../errors.js';
import { describeProblem, summarizeVerification, verifyLedger } from '../ledger/verify.js';
import { defaultIntervalSeconds, parseInterval, runMirror } from '../mirror/mirror-command.js';
import { OutboundPolicy } from '../outbound/policy.js';
import { startServer } from '../server.js';
import { createServices, type Services } from '../services.js';
import { version } from '../version.js';
import { importBgeigieFiles } from './import-bgeigie.js';

/** Opens the configured database, brings its schema up to date, runs `work`, and closes it. */
async function withDatabase<T>(config: Config, work: (db: Db, applied: string[]) => Promise<T>): Promise<T> {
  const db = openDatabase({
    databaseUrl: config.databaseUrl,
    sqlitePath: path.join(config.dataDir, 'tally.sqlite'),
  });
  try {
    const { applied } = await migrateToLatest(db);
    return await work(db, applied);
  } finally {
    await db.destroy();
  }
}

/** The same, with the services over it (the CLI acts as the deployment's operator on the public record). */
function withServices<T>(config: Config, work: (services: Services, db: Db) => Promise<T>): Promise<T> {
  return withDatabase(config, async (db) => work(await createServices(db, systemClock, config), db));
}

function readStdin(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

/** `--setting language=sw --setting number=+254700000000` as one object. */
function collectPair(pair: string, collected: Record<string, string>): Record<string, string> {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`"${pair}" is not name=value`);
  return { ...collected, [pair.slice(0, equals)]: pair.slice(equals + 1) };
}

function parseSecrets(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError('--secrets-stdin expects a JSON object such as {"authToken":"…"}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidArgumentError('--secrets-stdin expects a JSON object such as {"authToken":"…"}');
  }
  return parsed as Record<string, string>;
}

export function buildCli(): Command {
  const program = new Command('tally')
    .description(
      'Collect observations from anyone, check them together, map them, publish them as open data.',
    )
    .version(version)
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve the API and the web app (TALLY_PORT, TALLY_DATA_DIR, DATABASE_URL, …)')
    .option('-p, --port <port>', 'port to listen on (overrides TALLY_PORT)')
    .action(async (options: { port?: string }) => {
      const env = { ...process.env, ...(options.port ? { TALLY_PORT: options.port } : {}) };
      const server = await startServer(loadConfig(env));
      console.error(`Tally is listening on ${server.url}`);
    });

  program
    .command('migrate')
    .description('bring the database schema up to date (also done at every start)')
    .action(async () => {
      const applied = await withDatabase(loadConfig(), async (_db, applied) => applied);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    });

  program
    .command('mirror <url>')
    .description(
      "copy another Tally's public record here, verifying every checkpoint and entry; `tally serve` then serves it read-only",
    )
    .option('--follow', 'keep pulling every --interval seconds until stopped (SIGINT/SIGTERM)')
    .option(
      '--interval <seconds>',
      'seconds between rounds with --follow',
      parseInterval,
      defaultIntervalSeconds,
    )
    .option(
      '--key <verifier-key>',
      "the origin's verifier key (name+id+key), instead of trusting the one it serves",
    )
    .action(async (url: string, options: { follow?: boolean; interval: number; key?: string }) => {
      const config = loadConfig();
      // The origin is reached under the same rule as every host someone typed (TALLY_OUTBOUND_ALLOWED_HOSTS).
      const outbound = new OutboundPolicy(config.outboundAllowedHosts);
      process.exitCode = await withDatabase(config, (db) => runMirror(db, url, options, outbound));
    });

  const channel = program.command('channel').description('the SMS and chat gateways messages arrive through');
  channel
    .command('add <id>')
    .description('add a channel; its secrets are sealed and never shown again')
    .addOption(new Option('--kind <kind>', 'the gateway').choices([...channelKinds]).makeOptionMandatory())
    .option('--name <name>', 'what volunteers see it called')
    .option(
      '--setting <name=value>',
      'a setting that may be shown again (e.g. language=sw); repeatable',
      collectPair,
      {},
    )
    .option(
      '--secret <name=value>',
      'a secret (visible in shell history; prefer --secrets-stdin); repeatable',
      collectPair,
      {},
    )
    .option('--secrets-stdin', 'read the secrets as a JSON object from standard input')
    .action(
      async (
        id: string,
        options: {
          kind: string;
          name?: string;
          setting: Record<string, string>;
          secret: Record<string, string>;
          secretsStdin?: boolean;
        },
      ) => {
        const secrets = options.secretsStdin ? parseSecrets(readStdin()) : options.secret;
        const added = await withServices(loadConfig(), ({ channels }) =>
          channels.addAsOperator({
            id,
            kind: options.kind,
            name: options.name,
            settings: options.setting,
            secrets,
          }),
        );
        console.log(
          `Added ${added.kind} channel ${added.id}; gateways deliver to /api/v1/inbound/${added.kind}/${added.id}`,
        );
      },
    );
  channel
    .command('list')
    .description('list channels (never their secrets)')
    .action(async () => {
      const channels = await withServices(loadConfig(), ({ channels }) => channels.listAsOperator());
      for (const c of channels) {
        console.log(
          `${c.id}\t${c.kind}\t${c.name}\tsecrets: ${c.secretNames.join(', ') || 'none'}\trefused: ${c.refusedRequests}${c.enabled ? '' : '\tswitched off'}`,
        );
      }
    });

  channel
    .command('disable <id>')
    .description("switch a channel off: its gateway's requests are refused, its queued messages wait")
    .action(async (id: string) => {
      await withServices(loadConfig(), ({ channels }) => channels.setEnabledAsOperator(id, false));
      console.log(`Channel ${id} is switched off`);
    });
  channel
    .command('enable <id>')
    .description('switch a channel on again; its waiting messages are sent')
    .action(async (id: string) => {
      await withServices(loadConfig(), ({ channels }) => channels.setEnabledAsOperator(id, true));
      console.log(`Channel ${id} is switched on`);
    });
  channel
    .command('remove <id>')
    .description('delete a channel: its secrets are erased, its messages stay, its id is never used again')
    .action(async (id: string) => {
      await withServices(loadConfig(), ({ channels }) => channels.removeAsOperator(id));
      console.log(`Deleted channel ${id}; the messages it brought stay in the inbox`);
    });

  const importCommand = program.command('import').description('bring data files in');
  importCommand
    .command('bgeigie <files...>')
    .description(
      'import bGeigie drive logs as an owner’s: good lines kept, each bad line listed with its number and reason',
    )
    .requiredOption('--owner <email>', 'the account that owns the drives (and the device)')
    .option(
      '--device <id>',
      "the owner's device that logged them (default: the one writing the log's serial)",
    )
    .option('--submit', 'submit each import for review (approved at once if it meets the approval rules)')
    .option('--name <name>', 'the name to submit with (default: the file name)')
    .action(
      async (
        files: string[],
        options: { owner: string; device?: string; submit?: boolean; name?: string },
      ) => {
        const failed = await withServices(loadConfig(), (services) =>
          importBgeigieFiles(services, files, options),
        );
        if (failed > 0) process.exitCode = 1;
      },
    );

  const user = program.command('user').description('manage accounts');
  user
    .command('add <email>')
    .description('create an account')
    .addOption(
      new Option('--role <role>', 'what the account may do').choices([...roles]).makeOptionMandatory(),
    )
    .option('--password <password>', 'the password (visible in shell history; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--name <name>', 'display name')
    .action(
      async (
        email: string,
        options: { role: Role; password?: string; passwordStdin?: boolean; name?: string },
      ) => {
        const password = options.passwordStdin ? readStdin() : options.password;
        if (!password) throw new InvalidArgumentError('give --password or --password-stdin');
        const created = await withServices(loadConfig(), ({ accounts }) =>
          accounts.addUser({
            email,
            password,
            role: options.role,
            displayName: options.name ?? null,
          }),
        );
        console.log(`Created ${created.role} ${created.email} (${created.id})`);
      },
    );
  user
    .command('list')
    .description('list accounts')
    .action(async () => {
      const users = await withServices(loadConfig(), ({ accounts }) => accounts.listUsers());
      for (const u of users) {
        console.log(`${u.email}\t${u.role}\t${u.id}${u.disabledAt ? `\tdeactivated ${u.disabledAt}` : ''}`);
      }
    });
  user
    .command('role <email> <role>')
    .description("change an account's role (the change is on the public record)")
    .action(async (email: string, role: string) => {
      if (!isRole(role)) throw new InvalidArgumentError(`role must be one of ${roles.join(', ')}`);
      const changed = await withServices(loadConfig(), ({ accounts }) => accounts.setRole(email, role));
      console.log(`${changed.email} is now ${changed.role}`);
    });

  user
    .command('deactivate <email>')
    .description(
      'stop an account from acting: every session and token of it ends at once (on the public record)',
    )
    .action(async (email: string) => {
      const changed = await withServices(loadConfig(), ({ accounts }) => accounts.setActive(email, false));
      console.log(`${changed.email} is deactivated; its sessions and tokens are revoked`);
    });
  user
    .command('activate <email>')
    .description('let a deactivated account sign in again (on the public record)')
    .action(async (email: string) => {
      const changed = await withServices(loadConfig(), ({ accounts }) => accounts.setActive(email, true));
      console.log(`${changed.email} is active`);
    });
  user
    .command('password <email>')
    .description("set an account's password; every session and token of it ends")
    .option('--password <password>', 'the password (visible in shell history; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (email: string, options: { password?: string; passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? readStdin() : options.password;
      if (!password) throw new InvalidArgumentError('give --password or --password-stdin');
      const changed = await withServices(loadConfig(), ({ accounts }) =>
        accounts.setPassword(email, password),
      );
      console.log(`${changed.email} has a new password; its sessions and tokens are revoked`);
    });

  const ledger = program.command('ledger').description('the public record');
  ledger
    .command('verify')
    .description(
      'recompute the public record from the database and check it; exits 1 naming the first bad entry',
    )
    .option('--json', 'print the whole result as JSON')
    .action(async (options: { json?: boolean }) => {
      const result = await withServices(loadConfig(), (services, db) => verifyLedger(db, services));
      if (options.json) {
        console.log(JSON.stringify(result, null, 2));
      } else {
        for (const problem of result.problems) console.log(describeProblem(problem));
        if (result.problemCount > result.problems.length) {
          console.log(`… and ${result.problemCount - result.problems.length} more`);
        }
        console.log(summarizeVerification(result));
      }
      if (!result.ok) process.exitCode = 1;
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof TallyError ||
      error instanceof InvalidArgumentError
    ) {
      const fields =
        error instanceof TallyError && error.errors
          ? ` (${error.errors.map((e) => e.message).join('; ')})`
          : '';
      console.error(`tally: ${error.message}${fields}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

// Run as a program, not when a worker thread loads the bundle for the code in it.
const runAsProgram =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/main.ts');
if (isMainThread && runAsProgram) {
  await main(process.argv);
}
