import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { Message, ServerName } from './replication-servers';

/** One server of a {@link Replication}: its URL, the statements it has logged, SQL on it. */
export interface Server {
  readonly url: string;
  /**
   * The first line of every statement the API's pools have sent the server since it started
   * (`log_statement = all`), as the server logged it: `execute <name>: select …` for a prepared one.
   */
  readonly statements: string[];
  /** Runs SQL on the server, on a connection of its own. */
  sql<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Fast shutdown, waited for. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A primary and a streaming replica of it, on loopback, with the API's database migrated. */
export interface Replication {
  readonly primary: Server;
  readonly replica: Server;
  /** Waits until the replica has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a PostgreSQL primary (the embedded PostgreSQL's binaries) with the API's migrated database,
 * and a streaming replica of it, in a process of their own (replication-servers.ts); resolves once
 * the primary reports the replica streaming. Both log every statement unless told not to, so that a
 * test sees on the servers' side where each went.
 */
export async function startReplication(options: { logStatements: boolean } = { logStatements: true }): Promise<Replication> {
  // Beside this file when run from the sources (tests); from the compiled bench (dist/tests/support), the sources'.
  const script = [path.join(__dirname, 'replication-servers.ts'), path.resolve(__dirname, '../../../tests/support/replication-servers.ts')].find((file) => existsSync(file))!;
  const child = fork(script, options.logStatements ? [] : ['--quiet'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const statements: Record<ServerName, string[]> = { primary: [], replica: [] };
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let asked = 0;
  const urls = await new Promise<{ primary: string; replica: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the replication servers exited (code ${code}) before they were ready`)));
    child.on('message', (message: Message) => {
      if ('ready' in message) resolve(message.ready);
      else if ('statement' in message) statements[message.server].push(message.statement);
      else {
        const waiting = pending.get(message.done);
        pending.delete(message.done);
        if (message.error) waiting?.reject(new Error(message.error));
        else waiting?.resolve();
      }
    });
  });
  const ask = (request: { command: 'close' } | { command: 'start' | 'stop'; server: ServerName }) =>
    new Promise<void>((resolve, reject) => {
      const id = ++asked;
      pending.set(id, { resolve, reject });
      child.send({ ...request, id });
    });
  const server = (name: ServerName): Server => ({
    url: urls[name],
    statements: statements[name],
    sql: async <Row extends Record<string, unknown>>(text: string, params: unknown[] = []) => {
      const client = new Client({ connectionString: urls[name], application_name: 'test' });
      await client.connect();
      try {
        return (await client.query<Row>(text, params)).rows;
      } finally {
        await client.end();
      }
    },
    stop: () => ask({ command: 'stop', server: name }),
    start: () => ask({ command: 'start', server: name }),
  });
  const replication: Replication = {
    primary: server('primary'),
    replica: server('replica'),
    caughtUp: async () => {
      const [{ lsn }] = (await replication.primary.sql<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')) as [{ lsn: string }];
      await waitFor(async () => {
        const [row] = await replication.replica.sql<{ behind: boolean }>('select pg_last_wal_replay_lsn() < $1::pg_lsn as behind', [lsn]);
        return row?.behind === false;
      }, 'the replica to catch up');
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ command: 'close' });
      await exited;
    },
  };
  try {
    await waitFor(async () => {
      const rows = await replication.primary.sql<{ state: string }>("select state from pg_stat_replication where application_name = 'aquamind_replica'");
      return rows[0]?.state === 'streaming';
    }, 'the replica to stream from the primary');
  } catch (error) {
    await replication.close();
    throw error;
  }
  return replication;
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
