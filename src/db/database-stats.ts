import { RATE_LIMIT_COUNTERS_TABLE } from '../entities';
import type { Logger } from '../logger';
import type { Metrics, PoolGauges } from '../metrics';
import type { Orm } from './orm';
import { currentOrigin, currentTally } from './statement-tally';

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
  const { logger } = options;
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
    if (!tally) return;
    tally.statements++;
    if (!tally.shapes) return;
    const shape = statementShape(statement.sql);
    const origin = currentOrigin();
    const key = `${origin ?? ''}\u0000${shape}`;
    const seen = tally.shapes.get(key);
    if (seen) seen.count++;
    else tally.shapes.set(key, { count: 1, origin, statement: shape });
    if (tally.ended) reportDiagnostic(metrics, logger, 'statement_after_operation', { reqId: tally.reqId, origin, statement: shape });
  });
  const answered = (statement: Announced) => {
    const uid = statement.__knexQueryUid;
    const since = uid === undefined ? undefined : started.get(uid);
    if (since === undefined) return;
    started.delete(uid!);
    const tally = currentTally();
    if (tally?.shapes && tally.ended) {
      reportDiagnostic(metrics, logger, 'connection_after_operation', { reqId: tally.reqId, statement: statementShape(statement.sql) });
    }
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
 * Reports a diagnostic (development and tests by default; DIAGNOSTICS): a warning naming what to look
 * at, and `aquamind_diagnostics_total{kind}`, which the test suite requires to stay 0.
 */
export function reportDiagnostic(metrics: Metrics, logger: Logger, kind: string, details: Record<string, unknown>): void {
  metrics.diagnostics.inc({ kind });
  logger.warn({ kind, ...details }, `diagnostic: ${kind}`);
}

/**
 * A statement's text without its values: MikroORM inlines them into the text it announces (emails,
 * password hashes), so every quoted string and every number becomes `?` (placeholders such as `$1`
 * stay). At most 500 characters.
 */
export function statementShape(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![$\w])\d+(?:\.\d+)?\b/g, '?')
    .slice(0, 500);
}
