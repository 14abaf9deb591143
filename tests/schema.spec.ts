import { migrationsList } from '../src/db/migrations';
import { connectOrm, migrate, type Orm } from '../src/db/orm';
import { createEmptyDatabase, databaseUrl, dropDatabase, testConfig } from './support/test-database';
import { Client } from 'pg';

describe('migrations', () => {
  let name: string;
  let orm: Orm;
  let sql: Client;

  beforeAll(async () => {
    name = await createEmptyDatabase();
    orm = await connectOrm(testConfig(databaseUrl(name)), databaseUrl(name));
    sql = new Client({ connectionString: databaseUrl(name) });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await orm.close();
    await dropDatabase(name);
  });

  const query = async (text: string) => (await sql.query<Record<string, unknown>>(text)).rows;

  it('build the whole schema on an empty database, and a second run applies nothing', async () => {
    expect(await query(`select table_name from information_schema.tables where table_schema = 'public'`)).toEqual([]);

    expect(await migrate(orm)).toEqual(migrationsList.map((m) => m.name));
    expect(await migrate(orm)).toEqual([]);

    const tables = await query(`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
    expect(tables.map((t) => t.table_name)).toEqual(['api_keys', 'events', 'mikro_orm_migrations', 'nodes', 'rate_limit_counters', 'recommendations', 'users']);
  });

  it('match the entities exactly (the schema generator finds nothing to change)', async () => {
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('create the foreign keys with their delete rules', async () => {
    const fks = await query(`
      select conrelid::regclass::text as "table", confrelid::regclass::text as "references", confdeltype as "onDelete"
      from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace order by 1`);
    expect(fks).toEqual([
      { table: 'api_keys', references: 'users', onDelete: 'r' }, // restrict: users are never deleted
      { table: 'events', references: 'nodes', onDelete: 'c' }, // cascade
      { table: 'nodes', references: 'users', onDelete: 'r' }, // restrict
    ]);
  });

  it('create the unique constraints and the partial unique index on active titles', async () => {
    const uniques = await query(`select conname from pg_constraint where contype = 'u' and connamespace = 'public'::regnamespace order by 1`);
    expect(uniques.map((u) => u.conname)).toEqual(['api_keys_prefix_unique', 'users_email_unique', 'users_username_unique']);
    const [titleIndex] = await query(`select indexdef from pg_indexes where indexname = 'recommendations_active_title_unique'`);
    expect(titleIndex?.indexdef).toMatch(/UNIQUE INDEX .* \(lower\(\(title\)::text\)\) WHERE active/);
  });

  it('create the events index on (node, occurredAt desc, id desc)', async () => {
    const [index] = await query(`select indexdef from pg_indexes where tablename = 'events' and indexname = 'events_node_id_occurred_at_id_index'`);
    expect(index?.indexdef).toContain('(node_id, occurred_at DESC, id DESC)');
  });
});
