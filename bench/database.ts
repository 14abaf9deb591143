import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import { loadConfig, type Config } from '../src/config';
import { newId } from '../src/entities/ids';
import { SIGNING_KEY, UNSPENDABLE_POINTS } from './credentials';
import { startScratchPostgres } from '../src/db/embedded-postgres';
import { migrate, type Orm } from '../src/db/orm';
import { seedScale } from '../src/db/seed/seeder';
import { fmt, log, type Teardown } from './cli';

/** The size of the seeded dataset. */
export interface Dataset {
  readonly devices: number;
  readonly eventsPerDevice: number;
}

/** Where the database lives, without credentials (for the report). */
export interface DatabaseServerInfo {
  readonly kind: 'external' | 'embedded';
  readonly host: string;
  readonly version: string;
}

/**
 * A fresh database made for one run, on BENCH_DATABASE_URL / TEST_DATABASE_URL / DATABASE_URL (a server
 * where it may create databases) or else on an embedded PostgreSQL. The teardown drops it.
 */
export class BenchDatabase {
  /** Events recorded after this instant were written by the benchmark, not by the seeder. */
  private seededUntil: string | null = null;

  private constructor(
    readonly url: string,
    readonly server: DatabaseServerInfo,
    private readonly pool: Pool,
  ) {}

  /**
   * Creates the database on `on` (a server's URL), else on the server the environment names, or an
   * embedded one when it names none; the teardown undoes both.
   */
  static async create(teardown: Teardown, on?: string): Promise<BenchDatabase> {
    const { serverUrl, kind } = on ? { serverUrl: on, kind: 'external' as const } : await databaseServer(teardown);
    const name = `aquamind_bench_${randomBytes(4).toString('hex')}`;
    const version = await onServer(serverUrl, async (client) => {
      await client.query(`create database ${name}`);
      return (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
    });
    teardown.add(`drop database ${name}`, async () => {
      await onServer(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
      log(`dropped database ${name}`);
    });
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    // The harness's own connections are named, so the soak's count of the API's connections leaves them out.
    const pool = new Pool({ connectionString: url.toString(), max: 2, application_name: 'aquamind-bench' });
    teardown.add('close the harness pool', () => pool.end());
    log(`database ${name} on ${kind === 'embedded' ? 'an embedded' : 'the'} PostgreSQL ${version} at ${url.host}`);
    return new BenchDatabase(url.toString(), { kind, host: url.host, version }, pool);
  }

  /** The configuration the API would read with this database (production, quiet logs). */
  config(): Config {
    return loadConfig({
      NODE_ENV: 'production',
      AUTH_SIGNING_KEY: SIGNING_KEY,
      RATE_LIMIT_POINTS: UNSPENDABLE_POINTS,
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'false',
      DATABASE_URL: this.url,
    });
  }

  /** Applies the migrations and seeds `dataset` through `orm`, printing progress; returns the seconds it took. */
  async migrateAndSeed(orm: Orm, dataset: Dataset): Promise<number> {
    await migrate(orm);
    const started = performance.now();
    let lastLine = 0;
    await seedScale(orm, {
      ...dataset,
      onProgress: ({ devices, events, totalDevices, totalEvents }) => {
        // One line a second at most: a large dataset commits many batches.
        if (performance.now() - lastLine < 1_000 && devices < totalDevices) return;
        lastLine = performance.now();
        log(`seeding: ${fmt(devices)}/${fmt(totalDevices)} devices, ${fmt(events)}/${fmt(totalEvents)} events`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    // Fresh statistics, so that the planner (and autovacuum) behave the same in every run.
    await this.pool.query('vacuum analyze');
    this.seededUntil = (await this.pool.query<{ max: string }>('select max(recorded_at)::text as max from events')).rows[0]!.max;
    log(`seeded ${fmt(dataset.devices)} devices × ${fmt(dataset.eventsPerDevice)} events in ${seconds.toFixed(1)} s`);
    return seconds;
  }

  /** An ADMIN user (no password anyone knows): the bench's requests act as it. Returns its id. */
  async createAdmin(): Promise<string> {
    const id = newId();
    await this.pool.query(
      `insert into users (id, username, email, password_hash, first_name, last_name, role)
       values ($1, 'bench_admin', 'bench_admin@example.com', 'none', 'Bench', 'Admin', 'ADMIN')`,
      [id],
    );
    return id;
  }

  /** Runs `statements` in order (set-up such as a compared build's views). */
  async run(statements: readonly string[]): Promise<void> {
    for (const statement of statements) await this.pool.query(statement);
  }

  /** Gives each of `deviceIds` an owner of its own, a new USER (a dashboard's user each); their ids, in the same order. */
  async ownDevices(deviceIds: readonly string[]): Promise<string[]> {
    const owners = deviceIds.map(() => newId());
    await this.pool.query(
      `insert into users (id, username, email, password_hash, first_name, last_name)
       select id, 'bench_owner_' || n, 'bench_owner_' || n || '@example.com', 'none', 'Bench', 'Owner'
       from unnest($1::uuid[]) with ordinality as owner(id, n)`,
      [owners],
    );
    await this.pool.query('update devices d set owner_id = o.owner_id from unnest($1::uuid[], $2::uuid[]) as o(device_id, owner_id) where d.id = o.device_id', [deviceIds, owners]);
    return owners;
  }

  /** Every device's id. */
  async deviceIds(): Promise<string[]> {
    return (await this.pool.query<{ id: string }>('select id from devices order by id')).rows.map((row) => row.id);
  }

  /**
   * Deletes the readings the benchmark wrote, so every run reads and writes the seeded dataset rather than
   * one that grows by 100,000 rows per ingest run. Returns how many there were.
   */
  async deleteWrites(): Promise<number> {
    if (this.seededUntil === null) throw new Error('deleteWrites before migrateAndSeed');
    const { rowCount } = await this.pool.query('delete from events where recorded_at > $1', [this.seededUntil]);
    if (rowCount) await this.pool.query('vacuum analyze events');
    return rowCount ?? 0;
  }

  /** How many connections the API (application_name aquamind-api) has open to this database. */
  async apiConnections(): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      "select count(*) from pg_stat_activity where datname = current_database() and application_name = 'aquamind-api'",
    );
    return Number(rows[0]!.count);
  }
}

async function databaseServer(teardown: Teardown): Promise<{ serverUrl: string; kind: 'external' | 'embedded' }> {
  const external = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (external) return { serverUrl: external, kind: 'external' };
  log('no BENCH_DATABASE_URL / TEST_DATABASE_URL / DATABASE_URL: starting an embedded PostgreSQL');
  const server = await startScratchPostgres('bench');
  teardown.add('stop and remove the embedded PostgreSQL', () => server.stop());
  return { serverUrl: server.url, kind: 'embedded' };
}

async function onServer<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'aquamind-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
