/**
 * A real, throw-away Dovecot IMAP server for tests: Debian's dovecot-imapd on a free loopback port, with
 * its configuration, sockets, state, log and the one mailbox in a fresh temporary folder, and one user
 * with a random password. Nothing of the system's own Dovecot (/etc/dovecot, /run/dovecot) is used.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';

export const dovecotBinary = '/usr/sbin/dovecot';

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Appends one RFC 822 message to the user's INBOX. */
  append(raw: string): Promise<void>;
  /** Stops Dovecot and every process it started, and removes its folder. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const user = 'reports';
const startSeconds = 20;
const stopSeconds = 5;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The uid and gid Dovecot's mail processes run as. Dovecot never runs them as root, and by default refuses
 * uids below 500 (first_valid_uid), so the system's `nobody` (65534) fits without touching that setting.
 */
function mailOwner(): { uid: number; gid: number } {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'nobody');
  const uid = Number(entry?.[2]);
  const gid = Number(entry?.[3]);
  if (!entry || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error('startDovecot: there is no user "nobody" in /etc/passwd to own the test mailbox');
  }
  return { uid, gid };
}

function dovecotConfig(dir: string, port: number, owner: { uid: number; gid: number }): string {
  return `# A throw-away Dovecot for one test run; everything it writes stays in ${dir}.
protocols = imap
listen = ${host}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/home/%u
}

service imap-login {
  inet_listener imap {
    address = ${host}
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Resolves once the server at `port` greets with `* OK`, rejects when it does not (yet). */
function greeting(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('no greeting')));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!received.includes('\n')) return;
      socket.destroy();
      if (received.startsWith('* OK')) resolve();
      else reject(new Error(`unexpected greeting ${JSON.stringify(received)}`));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed before the greeting')));
  });
}

interface Started {
  child: ChildProcess;
  /** Set when Dovecot could not listen on the port, so that another port is worth a try. */
  portTaken: boolean;
}

/** Starts Dovecot with `config` and waits until it is up and greeting on `port`. */
async function launch(dir: string, config: string, port: number): Promise<Started> {
  const outputFile = path.join(dir, 'dovecot.out');
  const logFile = path.join(dir, 'dovecot.log');
  const output = openSync(outputFile, 'a');
  // Its own process group, so that stop() can reach every process Dovecot started; output to a file, and
  // unreferenced, so that a test that forgets stop() does not keep the test process alive.
  const child = spawn(dovecotBinary, ['-F', '-c', config], {
    detached: true,
    stdio: ['ignore', output, output],
  });
  closeSync(output);
  child.unref();
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;
  const explain = (what: string) =>
    new Error(
      `startDovecot: ${what}.\n` +
        `--- ${config}\n${readOr(config)}\n` +
        `--- ${outputFile}\n${readOr(outputFile)}\n` +
        `--- ${logFile}\n${readOr(logFile)}`,
    );

  for (let waited = 0; waited < startSeconds * 10; waited++) {
    if (spawnError) throw explain(`${dovecotBinary} could not be run (${spawnError.message})`);
    if (exited()) {
      const said = readOr(outputFile) + readOr(logFile);
      if (/Address already in use/i.test(said)) return { child, portTaken: true };
      throw explain(`Dovecot exited while starting (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (/starting up/.test(readOr(logFile))) {
      try {
        await greeting(port);
        return { child, portTaken: false };
      } catch {
        // Not listening yet.
      }
    }
    await sleep(100);
  }
  await stopProcesses(child);
  throw explain(`Dovecot did not greet on ${host}:${port} within ${startSeconds} s`);
}

/** The processes of process group `pgid` that have not ended (zombies left to a parent are not counted). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...", where comm may itself hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/**
 * Ends Dovecot: SIGTERM to the master, which ends its children and reaps them. The master waits, for
 * seconds, for a login process still busy with a connection, and may start one more while stopping, so the
 * rest of the group gets a SIGTERM of its own too. SIGKILL only for what outlives all that, since it leaves
 * the master no chance to reap its children. Returns once no process of the group is left.
 */
async function stopProcesses(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const running = () => child.exitCode === null && child.signalCode === null;
  if (running()) signal(pid, 'SIGTERM');
  for (let waited = 0; waited < stopSeconds * 20 && running(); waited++) {
    for (const member of groupMembers(pid)) if (member !== pid) signal(member, 'SIGTERM');
    await sleep(50);
  }
  for (let waited = 0; waited < stopSeconds * 20; waited++) {
    const left = groupMembers(pid);
    if (left.length === 0) return;
    for (const member of left) signal(member, 'SIGKILL');
    await sleep(50);
  }
}

/**
 * Starts a Dovecot IMAP server (plain IMAP, no TLS) on a free port of 127.0.0.1 with one user and an empty
 * INBOX. Needs Debian's dovecot-imapd and root, as Dovecot then runs the mail processes as `nobody`. Call
 * stop() when done; if the test process ends without it, Dovecot is killed as the process exits.
 */
export async function startDovecot(): Promise<Dovecot> {
  if (process.getuid?.() !== 0) {
    throw new Error('startDovecot: needs to run as root (Dovecot switches its mail processes to "nobody")');
  }
  const owner = mailOwner();
  const password = randomBytes(18).toString('base64url');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-dovecot-'));
  let child: ChildProcess | undefined;
  let port = 0;
  // The last resort, for a test process that ends without stop(): no time left to wait for anything.
  const killOnExit = () => {
    if (child?.pid !== undefined) signal(-child.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  try {
    // Dovecot's unprivileged processes (dovecot, dovenull, nobody) must be able to pass through the folder.
    chmodSync(dir, 0o755);
    // Read by the auth process, which runs as the user "dovecot".
    writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
    const home = path.join(dir, 'home', user);
    mkdirSync(path.dirname(home), { mode: 0o755 });
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, owner.uid, owner.gid);
    const config = path.join(dir, 'dovecot.conf');

    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(config, dovecotConfig(dir, port, owner));
      const started = await launch(dir, config, port);
      child = started.child;
      if (!started.portTaken) break;
      await stopProcesses(child);
      if (attempt === 3) throw new Error(`startDovecot: no free port after ${attempt} tries`);
    }
  } catch (error) {
    if (child) await stopProcesses(child);
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const running = child as ChildProcess;
  let stopped: Promise<void> | undefined;
  return {
    host,
    port,
    user,
    password,
    async append(raw) {
      const client = new ImapFlow({
        host,
        port,
        secure: false,
        doSTARTTLS: false,
        auth: { user, pass: password },
        logger: false,
        disableAutoIdle: true,
      });
      await client.connect();
      try {
        const appended = await client.append('INBOX', raw);
        if (appended === false) throw new Error('startDovecot: Dovecot did not take the message into INBOX');
      } finally {
        // A failed logout must not hide why the append failed.
        await client.logout().catch(() => client.close());
      }
    },
    stop() {
      stopped ??= (async () => {
        await stopProcesses(running);
        process.removeListener('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
