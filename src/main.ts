import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { tokensFor } from './auth/signing-key';
import { ConfigError, loadConfig, type Config } from './config';
import { openDatabase, type Database } from './db/database';
import { connectOrm, migrate, type Orm } from './db/orm';
import { seedDemo } from './db/seed/seeder';
import { buildApp } from './http/app';
import { createLogger, type Logger } from './logger';
import { onStopSignals } from './shared/stop-signals';

/** How long after the grace period the pool and the embedded PostgreSQL get to close before the process exits anyway. */
const SHUTDOWN_MARGIN_MS = 10_000;

/** Starts the API: database (embedded when no DATABASE_URL), migrations, demo seed, HTTP. Stops cleanly on SIGINT/SIGTERM. */
function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config);
  const running: { database?: Database; orm?: Orm; app?: FastifyInstance } = {};
  let stopping = false;

  // Reverse order of start: stop taking requests and drain them, close the pool, then stop PostgreSQL.
  const stop = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    // Whatever happens below, the process ends: an orchestrator must never have to kill it.
    setTimeout(() => {
      logger.error({ reason }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownGraceMs + SHUTDOWN_MARGIN_MS).unref();
    // A start in progress finishes its step first, so that what it started (PostgreSQL) is stopped too.
    await startup.catch(() => undefined);
    try {
      await running.app?.close();
      await running.orm?.close();
      await running.database?.stop();
      logger.info('stopped');
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      exitCode = 1;
    }
    process.exit(exitCode);
  };
  onStopSignals(logger, {
    stop: (signal) => void stop(signal, 0),
    // The embedded PostgreSQL is told to stop as the process exits (see db/postgres-process.ts).
    force: () => process.exit(1),
  });
  // A crash still stops the embedded PostgreSQL instead of orphaning it.
  const crash = (error: unknown) => {
    logger.fatal({ err: error }, 'uncaught error');
    void stop('uncaught error', 1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  const startup = start(config, logger, running, () => stopping);
  startup.catch((error: unknown) => {
    logger.fatal({ err: error }, 'start-up failed');
    void stop('start-up failed', 1);
  });
}

async function start(
  config: Config,
  logger: Logger,
  running: { database?: Database; orm?: Orm; app?: FastifyInstance },
  isStopping: () => boolean,
): Promise<void> {
  running.database = await openDatabase(config, logger);
  if (isStopping()) return;
  running.orm = await connectOrm(config, running.database.url, logger);
  const applied = await migrate(running.orm);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  if (config.seedOnStart) {
    const seed = await seedDemo(running.orm, { adminPassword: config.adminPassword });
    if (seed.seeded) logger.info(seed.counts, 'demo data seeded');
    if (seed.generatedAdminPassword) {
      process.stdout.write(
        `\nDemo admin: username "admin", password "${seed.generatedAdminPassword}" ` +
          '(shown once; set AQUAMIND_ADMIN_PASSWORD to choose it)\n\n',
      );
    }
  }
  if (isStopping()) return;
  running.app = await buildApp({ orm: running.orm, logger, tokens: await tokensFor(config), settings: config });
  await running.app.listen({ host: config.host, port: config.port });
  const { port } = running.app.server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  process.stdout.write(`AquaMind API ready at http://${host}:${port}/ (GraphiQL: http://${host}:${port}/graphql)\n`);
}

main();
