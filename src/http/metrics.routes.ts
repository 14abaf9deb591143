import type { FastifyInstance } from 'fastify';
import type { DatabaseStats } from '../db/database-stats';
import type { UnitOfWorkStats } from '../graphql/unit-of-work.plugin';

/** Prometheus text metrics: units of work (live forks) and the connection pool. */
export function metricsRoutes(app: FastifyInstance, options: { database: DatabaseStats; stats: UnitOfWorkStats }, done: () => void): void {
  app.get('/metrics', (_request, reply) => {
    const { stats, database } = options;
    const { pool } = database;
    const lines = [
      gauge('aquamind_unit_of_work_live_forks', 'Forked EntityManagers of operations not yet completed', stats.liveForks),
      counter('aquamind_unit_of_work_operations_total', 'GraphQL operations started', stats.operations),
      counter('aquamind_unit_of_work_flushed_total', 'Mutations whose unit of work was committed', stats.flushed),
      counter('aquamind_unit_of_work_discarded_total', 'Operations whose unit of work was cleared', stats.discarded),
      counter('aquamind_unit_of_work_flush_failures_total', 'Flushes that failed (nothing written)', stats.flushFailures),
      gauge('aquamind_db_pool_used', 'Connections checked out of the pool', pool?.numUsed() ?? 0),
      gauge('aquamind_db_pool_free', 'Idle connections in the pool', pool?.numFree() ?? 0),
      gauge('aquamind_db_pool_pending_acquires', 'Requests waiting for a connection', pool?.numPendingAcquires() ?? 0),
      gauge('aquamind_db_pool_max', 'Pool size limit', pool?.max ?? 0),
      gauge('aquamind_db_pool_used_peak', 'Most connections checked out at once since start-up', database.peakUsed),
      counter('aquamind_sql_statements_total', 'SQL statements sent to PostgreSQL for GraphQL operations', database.statements),
      counter('aquamind_rate_limit_statements_total', 'SQL statements of the rate limiter (shared counters)', database.rateLimitStatements),
    ];
    return reply.type('text/plain; version=0.0.4').send(lines.join(''));
  });
  done();
}

function gauge(name: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`;
}

function counter(name: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${value}\n`;
}
