import { loadConfig, type Config } from '../config';
import { createLogger, type Logger } from '../logger';
import { openDatabase } from './database';
import { connectOrm, migrate, type Orm } from './orm';

/** A task's failure that its message explains in full: printed as it is, without a stack trace. */
export class TaskFailure extends Error {}

/**
 * Runs a one-off task (migrate, seed) against the configured database, starting and stopping the
 * embedded PostgreSQL when no DATABASE_URL is set. Migrations are applied first. Exits the process.
 */
export async function runWithOrm(task: (orm: Orm, context: { config: Config; logger: Logger }) => Promise<void>): Promise<never> {
  let exitCode = 0;
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger(config);
    const database = await openDatabase(config, logger);
    const stopOnSignal = () => void database.stop().finally(() => process.exit(130));
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    try {
      const orm = await connectOrm(config, database.url);
      try {
        const applied = await migrate(orm);
        if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
        await task(orm, { config, logger });
      } finally {
        await orm.close();
      }
    } finally {
      await database.stop();
    }
  } catch (error) {
    exitCode = 1;
    if (error instanceof TaskFailure) process.stderr.write(`${error.message}\n`);
    else if (logger) logger.fatal({ err: error }, 'task failed');
    else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(exitCode);
}
