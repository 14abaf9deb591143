import { migrationsList } from '../src/db/migrations';
import { connectOrm, migrate, type Orm } from '../src/db/orm';
import { createEmptyDatabase, databaseUrl, dropDatabase, testConfig } from './support/test-database';
import { Client } from 'pg';

/** An empty database of its own for a describe block: its ORM (nothing migrated yet) and a plain client. */
function emptyDatabase(): { readonly orm: Orm; readonly sql: Client } {
  let name: string;
  const db = {} as { orm: Orm; sql: Client };
  beforeAll(async () => {
    name = await createEmptyDatabase();
    db.orm = await connectOrm(testConfig(databaseUrl(name)), databaseUrl(name));
    db.sql = new Client({ connectionString: databaseUrl(name) });
    await db.sql.connect();
  });
  afterAll(async () => {
    await db.sql.end();
    await db.orm.close();
    await dropDatabase(name);
  });
  return db;
}

describe('migrations', () => {
  const db = emptyDatabase();

  const query = (text: string) => rowsOf(db.sql, text);

  it('build the whole schema on an empty database, and a second run applies nothing', async () => {
    expect(await query(`select table_name from information_schema.tables where table_schema = 'public'`)).toEqual([]);

    expect(await migrate(db.orm)).toEqual(migrationsList.map((m) => m.name));
    expect(await migrate(db.orm)).toEqual([]);

    const tables = await query(`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
    expect(tables.map((t) => t.table_name)).toEqual(['api_keys', 'device_event_counts', 'devices', 'events', 'mikro_orm_migrations', 'rate_limit_counters', 'recommendations', 'users']);
  });

  it('match the entities exactly (the schema generator finds nothing to change)', async () => {
    expect(await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('create the foreign keys with their delete rules', async () => {
    const fks = await query(`
      select conrelid::regclass::text as "table", confrelid::regclass::text as "references", confdeltype as "onDelete"
      from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace order by 1`);
    expect(fks).toEqual([
      { table: 'api_keys', references: 'users', onDelete: 'r' }, // restrict: users are never deleted
      { table: 'device_event_counts', references: 'devices', onDelete: 'c' }, // cascade: a device's counts go with it
      { table: 'devices', references: 'users', onDelete: 'r' }, // restrict
      { table: 'events', references: 'devices', onDelete: 'c' }, // cascade
    ]);
  });

  it('create the unique constraints and the partial unique index on active titles', async () => {
    const uniques = await query(`select conname from pg_constraint where contype = 'u' and connamespace = 'public'::regnamespace order by 1`);
    expect(uniques.map((u) => u.conname)).toEqual(['api_keys_prefix_unique', 'users_email_unique', 'users_username_unique']);
    const [titleIndex] = await query(`select indexdef from pg_indexes where indexname = 'recommendations_active_title_unique'`);
    expect(titleIndex?.indexdef).toMatch(/UNIQUE INDEX .* \(lower\(\(title\)::text\)\) WHERE active/);
  });

  it('create the events index on (device, occurredAt desc, id desc)', async () => {
    const [index] = await query(`select indexdef from pg_indexes where tablename = 'events' and indexname = 'events_device_id_occurred_at_id_index'`);
    expect(index?.indexdef).toContain('(device_id, occurred_at DESC, id DESC)');
  });
});

describe('the migration from nodes to devices', () => {
  const db = emptyDatabase();

  const USER = '0190a0a0-0000-7000-8000-000000000001';
  const NODE = '0190a0a0-0000-7000-8000-000000000002';
  const KEY = '0190a0a0-0000-7000-8000-000000000003';

  it('keeps every row, and gives keys that held nodes:read devices:read', async () => {
    await db.orm.getMigrator().up({ to: 'Migration20261130013028' });
    await db.sql.query(`insert into users (id, username, email, password_hash, first_name, last_name) values ($1, 'river', 'river@example.com', 'x', 'Rio', 'Ops')`, [USER]);
    await db.sql.query(`insert into nodes (id, owner_id, name) values ($1, $2, 'Garden valve')`, [NODE, USER]);
    await db.sql.query(
      `insert into events (id, node_id, occurred_at, consumption, unit) values
       ('0190a0a0-0000-7000-8000-000000000010', $1, '2026-01-01T00:00:00Z', 1.5, 'L'),
       ('0190a0a0-0000-7000-8000-000000000011', $1, '2026-01-02T00:00:00Z', 2.5, 'L')`,
      [NODE],
    );
    await db.sql.query(`insert into api_keys (id, owner_id, name, prefix, secret_hash, scopes) values ($1, $2, 'meter', 'abcdefabcdef', $3, '{nodes:read,events:read}')`, [
      KEY,
      USER,
      'f'.repeat(64),
    ]);

    expect(await migrate(db.orm)).toEqual(['Migration20261201121500', 'Migration20261201140000', 'Migration20261201150000']);

    expect(await rowsOf(db.sql, 'select id, owner_id, name from devices')).toEqual([{ id: NODE, owner_id: USER, name: 'Garden valve' }]);
    expect(await rowsOf(db.sql, 'select device_id, consumption from events order by occurred_at')).toEqual([
      { device_id: NODE, consumption: '1.50' },
      { device_id: NODE, consumption: '2.50' },
    ]);
    expect(await rowsOf(db.sql, 'select scopes from api_keys')).toEqual([{ scopes: ['devices:read', 'events:read'] }]);
    // The readings already there are counted once, by the migration that starts keeping counts.
    expect(await rowsOf(db.sql, 'select device_id, sum(count)::int as count from device_event_counts group by 1')).toEqual([{ device_id: NODE, count: 2 }]);
    await expect(db.sql.query(`update api_keys set scopes = '{nodes:read}'`)).rejects.toThrow(/api_keys_scopes_check/);
    await expect(db.sql.query(`delete from users where id = $1`, [USER])).rejects.toThrow(/devices_owner_id_foreign/);
    expect(await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });
});

async function rowsOf(sql: Client, text: string) {
  return (await sql.query<Record<string, unknown>>(text)).rows;
}
