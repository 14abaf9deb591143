import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { loadConfig } from './config';
import { openDatabase, type Database } from './db/database';
import { connectOrm, migrate, type Orm } from './db/orm';
import { seedDemo } from './db/seed/seeder';
import { buildApp } from './http/app';
import { createLogger } from './logger';

/** Starts the API: database (embedded when no DATABASE_URL), migrations, demo seed, HTTP. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  let database: Database | undefined;
  let orm: Orm | undefined;
  let app: FastifyInstance | undefined;
  let stopping = false;

  // Reverse order of start: stop taking requests and drain them, close the pool, then stop PostgreSQL.
  const stop = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    try {
      await app?.close();
      await orm?.close();
      await database?.stop();
      logger.info('stopped');
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      exitCode = 1;
    }
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stop('SIGINT', 0));
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  // A crash still stops the embedded PostgreSQL instead of orphaning it.
  const crash = (error: unknown) => {
    logger.fatal({ err: error }, 'uncaught error');
    void stop('uncaught error', 1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  try {
    database = await openDatabase(config, logger);
    orm = await connectOrm(config, database.url);
    const applied = await migrate(orm);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    if (config.seedOnStart) {
      const seed = await seedDemo(orm, { adminPassword: config.adminPassword });
      if (seed.seeded) logger.info(seed.counts, 'demo data seeded');
      if (seed.generatedAdminPassword) {
        process.stdout.write(
          `\nDemo admin: username "admin", password "${seed.generatedAdminPassword}" ` +
            '(shown once; set AQUAMIND_ADMIN_PASSWORD to choose it)\n\n',
        );
      }
    }
    if (stopping) return;
    app = await buildApp({ orm, logger });
    await app.listen({ host: config.host, port: config.port });
    const { port } = app.server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    process.stdout.write(`AquaMind API ready at http://${host}:${port}/ (GraphiQL: http://${host}:${port}/graphql)\n`);
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await stop('start-up failed', 1);
  }
}

void main();
