import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { freePort } from '../../src/shared/free-port';

/** Debian's PgBouncer (1.18 on Debian 12), which .ci/run installs. */
export const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

/** A PgBouncer in `transaction` pool mode in front of one PostgreSQL server. */
export interface PgBouncer {
  /** `url` (a postgres:// URL of the server) through PgBouncer: same database, no password (PgBouncer logs in). */
  through(url: string): string;
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer in front of the server of `serverUrl`, in transaction mode with `serverConnections`
 * server connections per database and user: every client's transactions share them. It logs in to
 * the server with `serverUrl`'s user and password and lets clients in without one (`auth_type =
 * any`). `ignoreStartupParameters` lists startup parameters it takes and drops; any other that
 * PgBouncer does not know makes it refuse the connection.
 */
export async function startPgBouncer(
  serverUrl: string,
  options: { serverConnections: number; ignoreStartupParameters?: readonly string[] },
): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const dir = await mkdtemp(path.join(tmpdir(), 'aquamind-pgbouncer-'));
  // Run as root, PgBouncer runs as `postgres` (`-u`), which must read its configuration.
  await chmod(dir, 0o755);
  const port = await freePort();
  const login = [`host=${server.hostname}`, `port=${server.port || 5432}`, `user=${decodeURIComponent(server.username)}`];
  if (server.password) login.push(`password=${decodeURIComponent(server.password)}`);
  const config = path.join(dir, 'pgbouncer.ini');
  await writeFile(
    config,
    [
      '[databases]',
      `* = ${login.join(' ')}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      `default_pool_size = ${options.serverConnections}`,
      'max_client_conn = 500',
      `ignore_startup_parameters = ${options.ignoreStartupParameters?.join(',') ?? ''}`,
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const through = (url: string) => {
    const parsed = new URL(url);
    return `postgres://${parsed.username}@127.0.0.1:${port}${parsed.pathname}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready once a statement goes through it.
  for (const started = Date.now(); ; await sleep(50)) {
    if (child.exitCode !== null) throw new Error(`PgBouncer exited: ${log.join('').slice(-2000)}`);
    const client = new Client({ connectionString: through(serverUrl) });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() - started > 10_000) {
        await stop();
        throw new Error(`PgBouncer did not take connections: ${String(error)}\n${log.join('').slice(-2000)}`);
      }
    }
  }
  return { through, stop };
}

/** Whether Debian's PgBouncer is here; in CI it must be (.ci/run installs it). */
export function pgBouncerAvailable(): boolean {
  const available = existsSync(PGBOUNCER);
  if (!available && process.env.CI) throw new Error(`PgBouncer is required in CI and is missing at ${PGBOUNCER} (.ci/run installs it)`);
  if (!available) process.stderr.write(`PgBouncer tests skipped: no PgBouncer at ${PGBOUNCER} (apt-get install pgbouncer, or set PGBOUNCER_PATH)\n`);
  return available;
}
