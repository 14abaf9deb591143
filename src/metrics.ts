import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The parts of knex's connection pool (tarn) that the metrics read. */
export interface PoolGauges {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/** Operation names get a label of their own up to this many; later ones count as `other` (names are the client's to choose). */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Every metric of the process, in one Prometheus registry per API instance (tests run several in one
 * process). docs/OPERATIONS.md lists them with the alerts worth setting.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();

  readonly liveForks = this.gauge('aquamind_unit_of_work_live_forks', 'Units of work of operations not yet completed (each fork made on first use)');
  readonly operations = this.counter('aquamind_unit_of_work_operations_total', 'GraphQL operations started');
  readonly flushed = this.counter('aquamind_unit_of_work_flushed_total', 'Mutations whose unit of work was committed');
  readonly discarded = this.counter('aquamind_unit_of_work_discarded_total', 'Operations whose unit of work was cleared');
  readonly flushFailures = this.counter('aquamind_unit_of_work_flush_failures_total', 'Flushes or commits refused by the database (nothing written)');
  readonly statements = this.counter('aquamind_sql_statements_total', 'SQL statements sent to PostgreSQL for GraphQL operations');
  readonly statementsByServer = new Counter({
    name: 'aquamind_sql_statements_by_server_total',
    help: 'SQL statements sent for GraphQL operations, by the server they went to: primary, or a replica (replica-1, …)',
    labelNames: ['server'] as const,
    registers: [this.registry],
  });
  private readonly replicaUsable = new Gauge({
    name: 'aquamind_db_replica_usable',
    help: 'Whether a streaming replica takes reads (1), or is left out (0: down, not a standby, or lagging past DB_REPLICA_MAX_LAG_MS)',
    labelNames: ['replica'] as const,
    registers: [this.registry],
  });
  private readonly replicaLag = new Gauge({
    name: 'aquamind_db_replica_lag_seconds',
    help: "How long a streaming replica has been behind the primary's writes, at its last check",
    labelNames: ['replica'] as const,
    registers: [this.registry],
  });
  readonly rateLimitStatements = this.counter('aquamind_rate_limit_statements_total', 'SQL statements of the rate limiter (shared counters)');
  readonly statementSeconds = new Histogram({
    name: 'aquamind_sql_statement_seconds',
    help: 'Time from sending an SQL statement to its answer',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [this.registry],
  });
  readonly acquireSeconds = new Histogram({
    name: 'aquamind_db_pool_acquire_seconds',
    help: 'Time to get a connection from the pool',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly operationSeconds = new Histogram({
    name: 'aquamind_graphql_operation_seconds',
    help: 'Time of a GraphQL operation, from its start to its answer, by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'aquamind_graphql_errors_total',
    help: 'Errors in GraphQL responses, by extensions.code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly diagnostics = new Counter({
    name: 'aquamind_diagnostics_total',
    help: 'Diagnostics raised: an operation repeating one statement shape (an N+1), a statement outliving its operation',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly batchSizes = new Histogram({
    name: 'aquamind_dataloader_batch_size',
    help: 'Keys per DataLoader batch (one statement each), by loader',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly subscriptionSockets = this.gauge('aquamind_subscription_sockets', 'WebSockets open for subscriptions');
  readonly subscriptions = this.gauge('aquamind_subscriptions', 'Subscriptions running');
  readonly deliveries = this.counter('aquamind_subscription_deliveries_total', 'Readings delivered to subscribers');
  readonly subscriptionsDropped = new Counter({
    name: 'aquamind_subscriptions_dropped_total',
    help: 'Subscriptions ended by the server: slow (too many readings waiting), resync (readings may have been missed), forbidden (credentials no longer accepted)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly listenerReconnects = this.counter('aquamind_listener_reconnects_total', 'Times the connection listening for readings was made again after it dropped');
  readonly deliverySeconds = new Histogram({
    name: 'aquamind_subscription_delivery_seconds',
    help: "Time from a reading's write (its statement, just before the commit) to its delivery to a subscriber",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /** Most connections checked out at once since start-up. */
  private peakUsed = 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges of the connection pool, read when /metrics is scraped. */
  watchPool(pool: PoolGauges | undefined): void {
    const read = (name: string, help: string, value: () => number) =>
      new Gauge({ name, help, registers: [this.registry], collect() { this.set(value()); } });
    read('aquamind_db_pool_used', 'Connections checked out of the pool', () => pool?.numUsed() ?? 0);
    read('aquamind_db_pool_free', 'Idle connections in the pool', () => pool?.numFree() ?? 0);
    read('aquamind_db_pool_pending_acquires', 'Requests waiting for a connection', () => pool?.numPendingAcquires() ?? 0);
    read('aquamind_db_pool_max', 'Pool size limit', () => pool?.max ?? 0);
    read('aquamind_db_pool_used_peak', 'Most connections checked out at once since start-up', () => this.peakUsed);
  }

  /** A connection was checked out; `used` are checked out now. */
  connectionAcquired(used: number, waitedSeconds: number): void {
    this.peakUsed = Math.max(this.peakUsed, used);
    this.acquireSeconds.observe(waitedSeconds);
  }

  /** A streaming replica's state at its last check: whether it takes reads, and its lag. */
  replicaState(replica: string, usable: boolean, lagSeconds: number): void {
    this.replicaUsable.set({ replica }, usable ? 1 : 0);
    this.replicaLag.set({ replica }, lagSeconds);
  }

  /** An operation's label: its name when it is a plain one among the first 200 seen, else `other` (or `anonymous`). */
  operationLabel(name: string | null): string {
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (!OPERATION_NAME.test(name) || this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }
}
