/**
 * A PostgreSQL primary and a streaming replica of it, run by this process for a test (see
 * replication.ts, which forks it: jest's sandbox cannot load the embedded PostgreSQL's ES modules).
 * It answers the parent's messages (`start` or `stop` a server, `close`), and sends it the first line
 * of each statement the API's connections run on either server (none with `--quiet`: the bench's
 * servers log nothing, which would slow them).
 */
import { execFile } from 'node:child_process';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { connectOrm, migrate } from '../../src/db/orm';
import { startPostgresProcess, type PostgresProcess } from '../../src/db/postgres-process';
import { freePort } from '../../src/shared/free-port';

const run = promisify(execFile);
/** Log every statement (the tests'), or nothing (the bench's). */
const LOG_STATEMENTS = !process.argv.includes('--quiet');
/** The application name of the API's pooled connections (src/db/orm.ts). */
const API = 'aquamind-api';

export type ServerName = 'primary' | 'replica';
/** What the parent asks. */
export type Request = { readonly id: number; readonly command: 'start' | 'stop'; readonly server: ServerName } | { readonly id: number; readonly command: 'close' };
/** What this process tells the parent. */
export type Message =
  | { readonly ready: { readonly primary: string; readonly replica: string } }
  | { readonly statement: string; readonly server: ServerName }
  | { readonly done: number; readonly error?: string };

function tell(message: Message): void {
  process.send!(message);
}

/** A server on `clusterDir` that logs every statement (`log_statement = all`, each line prefixed with its application's name). */
function server(name: ServerName, clusterDir: string, port: number) {
  const logger = pino({ level: 'debug' }, {
    write: (line: string) => {
      const { postgres } = JSON.parse(line) as { postgres?: string };
      if (postgres?.startsWith(`[${API}] LOG:  statement: `) || postgres?.startsWith(`[${API}] LOG:  execute `)) tell({ statement: postgres, server: name });
    },
  });
  let running: PostgresProcess | undefined;
  return {
    start: async () => {
      running ??= await startPostgresProcess({
        clusterDir,
        port,
        flags: [
          ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
          ...(LOG_STATEMENTS ? ['-c', 'log_statement=all', '-c', 'log_line_prefix=[%a] '] : []),
          // Room for two API processes' pools and the bench's own connections.
          ...['-c', 'max_connections=200'],
        ],
        logger,
      });
    },
    stop: async () => {
      await running?.stop();
      running = undefined;
    },
  };
}

/**
 * The primary's cluster, its database and the API's schema, stopped cleanly; the replica's cluster is
 * a cold copy of it with `standby.signal` and `primary_conninfo` (a valid base backup).
 */
async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aquamind-replication-'));
  // Run as root, PostgreSQL runs as `postgres`, which must be able to enter it.
  await chmod(dir, 0o755);
  const primaryData = path.join(dir, 'primary');
  const replicaData = path.join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];

  const made = await startEmbeddedPostgres({ dataDir: primaryData, port: primaryPort, database: 'aquamind', logger: pino({ level: 'silent' }) });
  const orm = await connectOrm(loadConfig({ NODE_ENV: 'test', DATABASE_URL: made.url }), made.url);
  await migrate(orm);
  await orm.close();
  await made.stop();
  const password = (await readFile(path.join(primaryData, 'pg-password'), 'utf8')).trim();

  await mkdir(replicaData);
  await chmod(replicaData, 0o755);
  const replicaCluster = path.join(replicaData, 'pg');
  await run('cp', ['-a', path.join(primaryData, 'pg'), replicaCluster]);
  await writeFile(path.join(replicaCluster, 'standby.signal'), '');
  await appendFile(
    path.join(replicaCluster, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres password=${password} application_name=aquamind_replica'\n`,
  );
  if (process.getuid?.() === 0) {
    const id = async (flag: string) => Number.parseInt((await run('id', [flag, 'postgres'])).stdout, 10);
    const [uid, gid] = [await id('-u'), await id('-g')];
    for (const file of ['standby.signal', 'postgresql.auto.conf']) await chown(path.join(replicaCluster, file), uid, gid);
  }

  const servers = { primary: server('primary', path.join(primaryData, 'pg'), primaryPort), replica: server('replica', replicaCluster, replicaPort) };
  const close = async () => {
    await servers.replica.stop();
    await servers.primary.stop();
    await rm(dir, { recursive: true, force: true });
  };
  process.on('message', (request: Request) => {
    const work = request.command === 'close' ? close() : servers[request.server][request.command]();
    work.then(
      () => {
        tell({ done: request.id });
        if (request.command === 'close') process.disconnect();
      },
      (error: unknown) => tell({ done: request.id, error: String(error) }),
    );
  });
  await servers.primary.start();
  await servers.replica.start();
  const urlOf = (port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/aquamind`;
  tell({ ready: { primary: urlOf(primaryPort), replica: urlOf(replicaPort) } });
}

main().catch((error: unknown) => {
  process.stderr.write(`replication servers failed: ${String(error)}\n`);
  process.exit(1);
});
