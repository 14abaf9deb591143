import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { processesMentioning, spawnApi, startApi } from './support/api-process';
import { freePort } from '../src/shared/free-port';

// The default a new user gets: `npm start` with no DATABASE_URL runs its own PostgreSQL in a data folder.
describe('the embedded PostgreSQL default', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'aquamind-embedded-'));
    await chmod(dataDir, 0o755); // reachable by the `postgres` user when run as root
    env = { AQUAMIND_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), AQUAMIND_ADMIN_PASSWORD: 'Admin-Passw0rd' };
  });
  afterAll(async () => {
    for (const pid of processesMentioning(path.join(dataDir, 'pg'))) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const postgresOfDataDir = () => processesMentioning(path.join(dataDir, 'pg'));

  async function rowCounts(): Promise<Record<string, string>> {
    const password = (await readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    const client = new Client({ host: '127.0.0.1', port: Number(env.EMBEDDED_PG_PORT), user: 'postgres', password, database: 'aquamind' });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select (select count(*) from users) as users, (select count(*) from devices) as devices,
                (select count(*) from events) as events, (select count(*) from recommendations) as recommendations`,
      );
      return rows[0] as Record<string, string>;
    } finally {
      await client.end();
    }
  }

  it('starts, migrates, seeds once, answers /readyz, and leaves no PostgreSQL behind after SIGTERM', async () => {
    const api = await startApi(env);
    expect((await fetch(`${api.baseUrl}/readyz`)).status).toBe(200);
    const seeded = await rowCounts();
    expect(Number(seeded.users)).toBeGreaterThan(0);
    expect(Number(seeded.events)).toBeGreaterThan(0);
    expect(postgresOfDataDir().length).toBeGreaterThan(0);

    expect(await api.stop('SIGTERM')).toBe(0);
    expect(postgresOfDataDir()).toEqual([]);

    const again = await startApi(env);
    expect((await fetch(`${again.baseUrl}/readyz`)).status).toBe(200);
    expect(await rowCounts()).toEqual(seeded);
    expect(await again.stop('SIGINT')).toBe(0);
    expect(postgresOfDataDir()).toEqual([]);
  });

  it('refuses to start on a data folder that a running API is using, leaving that one alone', async () => {
    const running = await startApi(env);
    await expect(startApi(env)).rejects.toThrow(/Another process \(pid \d+\) is running the PostgreSQL/);
    expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
    expect(await running.stop('SIGTERM')).toBe(0);
  });

  it('stops the PostgreSQL it was starting when SIGTERM arrives during start-up', async () => {
    const freshDir = await mkdtemp(path.join(tmpdir(), 'aquamind-embedded-'));
    await chmod(freshDir, 0o755);
    try {
      // At debug level PostgreSQL's own log shows; stop the API the moment PostgreSQL begins to start.
      const starting = spawnApi({ ...env, AQUAMIND_DATA_DIR: freshDir, LOG_LEVEL: 'debug' });
      await new Promise<void>((resolve) => {
        const check = () => (/starting PostgreSQL/.test(starting.output()) ? resolve() : setTimeout(check, 2));
        check();
      });
      expect(await starting.stop('SIGTERM')).toBe(0);
      expect(starting.output()).not.toContain('ready at');
      expect(processesMentioning(path.join(freshDir, 'pg'))).toEqual([]);
    } finally {
      for (const pid of processesMentioning(path.join(freshDir, 'pg'))) process.kill(pid, 'SIGKILL');
      await rm(freshDir, { recursive: true, force: true });
    }
  });

  it('recovers from a crashed run whose PostgreSQL is still running', async () => {
    const crashed = await startApi(env);
    await crashed.stop('SIGKILL');
    expect(postgresOfDataDir().length).toBeGreaterThan(0); // orphaned by the crash

    const next = await startApi(env);
    expect((await fetch(`${next.baseUrl}/readyz`)).status).toBe(200);
    expect(await next.stop('SIGTERM')).toBe(0);
    expect(postgresOfDataDir()).toEqual([]);
  });

  it('starts despite a stale postmaster.pid naming a process that is not PostgreSQL', async () => {
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    // This test's own pid: alive, but not a PostgreSQL of this cluster (as after a reboot that reused the pid).
    await writeFile(pidFile, `${process.pid}\n${path.join(dataDir, 'pg')}\n`);
    const api = await startApi(env);
    expect((await fetch(`${api.baseUrl}/readyz`)).status).toBe(200);
    expect(await api.stop('SIGTERM')).toBe(0);
    expect(postgresOfDataDir()).toEqual([]);
  });
});
