import { ConfigError, loadConfig } from '../src/config';
import { createTestDatabase } from './support/test-database';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      seedOnStart: true,
      db: { poolMax: 10, poolMin: 0 },
    });
  });

  it('does not seed demo data on an external database unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x@db/app' }).seedOnStart).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://x@db/app', SEED_ON_START: 'true' }).seedOnStart).toBe(true);
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number, got "abc"/],
    ['PORT', '70000', /PORT must be between 0 and 65535, got 70000/],
    ['DB_POOL_MAX', '0', /DB_POOL_MAX must be between 1 and 1000/],
    ['DB_POOL_MIN', '-1', /DB_POOL_MIN must be between 0 and 1000/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL must be a URL/],
    ['DATABASE_URL', 'mysql://root@localhost/db', /DATABASE_URL must be a postgres:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error/],
    ['SEED_ON_START', 'maybe', /SEED_ON_START must be true or false/],
    ['DB_STATEMENT_TIMEOUT_MS', '1.5', /DB_STATEMENT_TIMEOUT_MS must be a whole number/],
    ['DATABASE_REPLICA_URLS', 'postgres://r1@db/app,,postgres://r2@db/app', /DATABASE_REPLICA_URLS has an empty entry/],
    ['DATABASE_REPLICA_URLS', 'postgres://r1@db/app, http://r2/app', /DATABASE_REPLICA_URLS must be a postgres:\/\/ URL, got the scheme "http:"/],
    ['DB_REPLICA_MAX_LAG_MS', '0', /DB_REPLICA_MAX_LAG_MS must be between 1 and/],
    ['DB_REPLICA_CHECK_MS', '5', /DB_REPLICA_CHECK_MS must be between 10 and 60000/],
  ])('names %s when its value %p is bad', (variable, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
  });

  it('reads the replicas as a comma-separated list, none when unset', () => {
    expect(loadConfig({}).replicas).toEqual({ urls: [], maxLagMs: 5_000, checkMs: 200 });
    expect(loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r@db-1/app , postgresql://r:p%2Cw@db-2:6432/app' }).replicas.urls).toEqual([
      'postgres://r@db-1/app',
      'postgresql://r:p%2Cw@db-2:6432/app',
    ]);
  });

  it('refuses a pool minimum above the maximum', () => {
    expect(() => loadConfig({ DB_POOL_MIN: '5', DB_POOL_MAX: '2' })).toThrow(/DB_POOL_MIN must not exceed DB_POOL_MAX \(2\)/);
  });

  it('applies the statement and idle-in-transaction timeouts to every pooled connection', async () => {
    const db = await createTestDatabase({
      DB_STATEMENT_TIMEOUT_MS: '1234',
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4321',
      DB_POOL_MIN: '2',
      DB_POOL_MAX: '3',
    });
    try {
      const connection = db.orm.em.getConnection();
      // Several at once, so more than one pooled connection answers.
      const settings = await Promise.all(
        Array.from({ length: 3 }, () =>
          connection.execute<Array<{ statement: string; idle: string; pid: number }>>(
            `select current_setting('statement_timeout') as statement,
                    current_setting('idle_in_transaction_session_timeout') as idle,
                    pg_backend_pid() as pid, pg_sleep(0.05)`,
          ),
        ),
      );
      const rows = settings.flat();
      expect(new Set(rows.map((r) => r.pid)).size).toBeGreaterThan(1);
      for (const row of rows) expect(row).toMatchObject({ statement: '1234ms', idle: '4321ms' });
      await expect(connection.execute('select pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await db.drop();
    }
  });
});
