import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { entities } from '../entities';
import { migrationsList } from './migrations';
import { behindTransactionPooler } from './sql';
import { TallyingLogger } from './statement-tally';

export type Orm = MikroORM;

/**
 * The ORM options for `clientUrl`, with the pool and session limits from the configuration. With
 * `logger`, what knex says of its connections (one lost, say) is logged there rather than printed.
 */
export function ormOptions(config: Config, clientUrl: string, logger?: Logger): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    // Request work must go through an operation's fork; the global EntityManager is for start-up only.
    allowGlobalContext: false,
    // Nothing reaches the database before the unit of work decides to flush.
    flushMode: 'commit',
    forceUtcTimezone: true,
    pool: {
      min: config.db.poolMin,
      max: config.db.poolMax,
      acquireTimeoutMillis: config.db.acquireTimeoutMs,
    },
    driverOptions: {
      // The timeouts as startup parameters, for the session; a transaction pooler refuses them, and each
      // transaction sets them for itself there (behindTransactionPooler).
      connection: config.db.preparedStatements
        ? {
            application_name: 'aquamind-api',
            statement_timeout: config.db.statementTimeoutMs,
            idle_in_transaction_session_timeout: config.db.idleInTransactionTimeoutMs,
          }
        : { application_name: 'aquamind-api' },
      ...(logger && { log: knexLog(logger) }),
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: 'src/db/migrations',
      pathTs: 'src/db/migrations',
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    debug: false,
    // Counts each statement the ORM sends for an operation's fork (its log line's `statements`).
    loggerFactory: TallyingLogger.create,
  });
}

/** knex's own messages (`Connection Error: …` when a pooled connection dies), as log lines. */
function knexLog(logger: Logger) {
  const line = (level: 'warn' | 'error' | 'debug') => (message: unknown) => logger[level]({ knex: String(message) }, 'database client');
  return { warn: line('warn'), error: line('error'), deprecate: line('warn'), debug: line('debug') };
}

/** Connects the ORM; fails fast when the database cannot be reached. `logger`: see {@link ormOptions}. */
export async function connectOrm(config: Config, clientUrl: string, logger?: Logger): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(config, clientUrl, logger));
  if (!config.db.preparedStatements) {
    const { statementTimeoutMs, idleInTransactionTimeoutMs } = config.db;
    behindTransactionPooler(orm.em.getKnex(), { statementTimeoutMs, idleInTransactionTimeoutMs });
  }
  return orm;
}

/** Applies every pending migration; returns their names. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** The URL of the database `orm` is connected to (for a connection of one's own beside its pool). */
export function databaseUrlOf(orm: Orm): string {
  const url = orm.config.get('clientUrl');
  if (!url) throw new Error('The ORM was set up without a clientUrl');
  return url;
}
