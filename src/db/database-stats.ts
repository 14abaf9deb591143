import { RATE_LIMIT_COUNTERS_TABLE } from '../entities';
import type { Logger } from '../logger';
import type { Metrics, PoolGauges } from '../metrics';
import { PRIMARY } from './fork-context';
import type { Orm } from './orm';

/** The parts of knex's connection pool (tarn) watched here. */
interface TarnPool extends PoolGauges {
  numUsed(): number;
  on(event: 'acquireRequest', listener: (eventId: number) => void): void;
  on(event: 'acquireSuccess' | 'acquireFail', listener: (eventId: number) => void): void;
}

/** What knex (and `send`, in db/sql.ts) announce of each statement; `send` names the server (knex's own: the primary). */
interface Announced {
  sql: string;
  __knexQueryUid?: string;
  server?: string;
}

/**
 * Watches the database connection for the metrics and the logs: statements sent (those of operations
 * apart from the rate limiter's; per operation, statement-tally.ts counts them), how long each took, how long a connection
 * took to get, the pool's peak.
 */
export function watchDatabase(orm: Orm, metrics: Metrics): void {
  const knex = orm.em.getConnection().getKnex();
  const pool = (knex.client as { pool?: TarnPool }).pool;
  metrics.watchPool(pool);

  const started = new Map<string, number>();
  // Bound once per server: a label lookup per statement would cost every one.
  const byServer = new Map<string, { inc(): void }>();
  knex.on('query', (statement: Announced) => {
    if (statement.__knexQueryUid) started.set(statement.__knexQueryUid, performance.now());
    if (statement.sql.includes(RATE_LIMIT_COUNTERS_TABLE)) {
      metrics.rateLimitStatements.inc();
      return;
    }
    metrics.statements.inc();
    const server = statement.server ?? PRIMARY;
    let counter = byServer.get(server);
    if (!counter) byServer.set(server, (counter = metrics.statementsByServer.labels({ server })));
    counter.inc();
  });
  const answered = (statement: Announced) => {
    const uid = statement.__knexQueryUid;
    const since = uid === undefined ? undefined : started.get(uid);
    if (since === undefined) return;
    started.delete(uid!);
    metrics.statementSeconds.observe((performance.now() - since) / 1000);
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
