import { startScratchPostgres } from '../../src/db/embedded-postgres';

/** Uses TEST_DATABASE_URL (or DATABASE_URL) when set; otherwise starts one embedded PostgreSQL for the whole run. */
export default async function globalSetup(): Promise<void> {
  const external = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (external) {
    process.env.TEST_DATABASE_URL = external;
    return;
  }
  const server = await startScratchPostgres('test');
  // Worker processes start after this and inherit the variable.
  process.env.TEST_DATABASE_URL = server.url;
  (globalThis as Record<string, unknown>).__embeddedTestPostgres = server;
}
