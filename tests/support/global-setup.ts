import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { freePort } from './free-port';

/** Uses TEST_DATABASE_URL (or DATABASE_URL) when set; otherwise starts one embedded PostgreSQL for the whole run. */
export default async function globalSetup(): Promise<void> {
  const external = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (external) {
    process.env.TEST_DATABASE_URL = external;
    return;
  }

  const dataDir = await mkdtemp(path.join(tmpdir(), 'aquamind-test-pg-'));
  // Run as root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    database: 'postgres',
    logger: pino({ level: 'silent' }),
    persistent: false,
  });
  // Worker processes start after this and inherit the variable.
  process.env.TEST_DATABASE_URL = server.url;
  (globalThis as Record<string, unknown>).__embeddedTestPostgres = { stop: () => server.stop(), dataDir };
}
