import type { Config } from '../config';
import type { Logger } from '../logger';
import { startEmbeddedPostgres } from './embedded-postgres';

/** Where the API's data lives: `DATABASE_URL`, or an embedded PostgreSQL this process started. */
export interface Database {
  readonly url: string;
  readonly embedded: boolean;
  /** Stops the embedded PostgreSQL, if this process started one. */
  stop(): Promise<void>;
}

/** Resolves the database from the configuration, starting the embedded PostgreSQL when no URL is set. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  }
  if (config.nodeEnv === 'production') {
    throw new Error('DATABASE_URL is required in production; the embedded PostgreSQL is for development only');
  }
  const started = Date.now();
  const server = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    database: 'aquamind',
    logger,
  });
  logger.info({ port: config.embeddedPgPort, dataDir: config.dataDir, ms: Date.now() - started }, 'embedded PostgreSQL started');
  return { url: server.url, embedded: true, stop: () => server.stop() };
}
