import type { EmbeddedPostgres } from '../../src/db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as Record<string, unknown>).__embeddedTestPostgres as EmbeddedPostgres | undefined;
  await embedded?.stop();
}
