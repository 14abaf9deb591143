import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { connectOrm, migrate, type Orm } from '../../src/db/orm';

/** A fresh database of this spec file's own, built by the real migrations. */
export interface TestDatabase {
  readonly url: string;
  readonly config: Config;
  readonly orm: Orm;
  /** Runs SQL directly (outside the ORM), to see what the database really holds. */
  sql<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Closes the ORM and drops the database. */
  drop(): Promise<void>;
}

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (global setup sets it)');
  return url;
}

/** A database URL on the test server, for `database`. */
export function databaseUrl(database: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs statements on the server's maintenance database (create/drop database). */
export async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a unique name; returns its name. */
export async function createEmptyDatabase(): Promise<string> {
  const name = `aquamind_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(5).toString('hex')}`;
  await onServer((client) => client.query(`create database "${name}"`));
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  await onServer((client) => client.query(`drop database if exists "${name}" with (force)`));
}

/** The configuration tests run with (silent logs, the test database), plus any overrides. */
export function testConfig(url: string, env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url, ...env });
}

/** Creates and migrates a fresh database for one spec file. */
export async function createTestDatabase(env: Record<string, string> = {}): Promise<TestDatabase> {
  const name = await createEmptyDatabase();
  return openTestDatabase(databaseUrl(name), env, () => dropDatabase(name));
}

/**
 * The database at `url` (migrated if it is not yet), as a {@link TestDatabase}; `drop` closes it and
 * runs `remove` (by default: nothing, the database is someone else's).
 */
export async function openTestDatabase(url: string, env: Record<string, string> = {}, remove: () => Promise<void> = async () => undefined): Promise<TestDatabase> {
  const config = testConfig(url, env);
  // knex's notices of lost connections (a replica stopped by a test) stay out of the test output.
  const orm = await connectOrm(config, url, pino({ level: 'silent' }));
  await migrate(orm);
  const direct = new Client({ connectionString: url });
  await direct.connect();
  return {
    url,
    config,
    orm,
    sql: async <Row extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
      (await direct.query<Row>(text, params)).rows,
    drop: async () => {
      await direct.end();
      await orm.close();
      await remove();
    },
  };
}
