import { RATE_LIMIT_COUNTERS_TABLE } from '../entities';
import type { Logger } from '../logger';
import type { Metrics, PoolGauges } from '../metrics';
import type { Orm } from './orm';
import { currentTally } from './statement-tally';

/** The parts of knex's connection pool (tarn) watched here. */
interface TarnPool extends PoolGauges {
  numUsed(): number;
  on(event: 'acquireRequest', listener: (eventId: number) => void): void;
  on(event: 'acquireSuccess' | 'acquireFail', listener: (eventId: number) => void): void;
}

/** What knex (and `read`, in services/sql.ts) announce of each statement. */
interface Announced {
  sql: string;
  __knexQueryUid?: string;
}

/**
 * Watches the database connection for the metrics and the logs: statements sent (those of operations,
 * counted per operation too, apart from the rate limiter's), how long each took, how long a connection
 * took to get, the pool's peak. A statement slower than `slowStatementMs` is logged at `warn`, with its
 * shape but never its values.
 */
export function watchDatabase(orm: Orm, metrics: Metrics, options: { logger: Logger; slowStatementMs: number }): void {
  const knex = orm.em.getConnection().getKnex();
  const pool = (knex.client as { pool?: TarnPool }).pool;
  metrics.watchPool(pool);

  const started = new Map<string, number>();
  knex.on('query', (statement: Announced) => {
    if (statement.__knexQueryUid) started.set(statement.__knexQueryUid, performance.now());
    if (statement.sql.includes(RATE_LIMIT_COUNTERS_TABLE)) {
      metrics.rateLimitStatements.inc();
      return;
    }
    metrics.statements.inc();
    const tally = currentTally();
    if (tally) tally.statements++;
  });
  const answered = (statement: Announced) => {
    const uid = statement.__knexQueryUid;
    const since = uid === undefined ? undefined : started.get(uid);
    if (since === undefined) return;
    started.delete(uid!);
    const ms = performance.now() - since;
    metrics.statementSeconds.observe(ms / 1000);
    if (ms >= options.slowStatementMs) {
      options.logger.warn({ reqId: currentTally()?.reqId, durationMs: Math.round(ms), statement: statementShape(statement.sql) }, 'slow SQL statement');
    }
  };
  knex.on('query-response', (_response: unknown, statement: Announced) => answered(statement));
  knex.on('query-error', (_error: unknown, statement: Announced) => answered(statement));

  const acquiring = new Map<number, number>();
  pool?.on('acquireRequest', (eventId) => acquiring.set(eventId, performance.now()));
  pool?.on('acquireSuccess', (eventId) => {
    const since = acquiring.get(eventId);
    acquiring.delete(eventId);
    metrics.connectionAcquired(pool.numUsed(), since === undefined ? 0 : (performance.now() - since) / 1000);
  });
  pool?.on('acquireFail', (eventId) => acquiring.delete(eventId));
}

/**
 * A statement's text without its values: MikroORM inlines them into the text it announces (emails,
 * password hashes), so every quoted string and every number becomes `?`. At most 500 characters.
 */
export function statementShape(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .slice(0, 500);
}
