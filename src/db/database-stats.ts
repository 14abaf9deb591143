import { RATE_LIMIT_COUNTERS_TABLE } from '../entities';
import type { Orm } from './orm';
import { currentTally } from './statement-tally';

/** The parts of knex's connection pool (tarn) that the metrics read. */
export interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
  on(event: 'acquireSuccess', listener: () => void): void;
}

/**
 * What the database connection has done since start-up: statements sent for operations, statements
 * of the rate limiter (it shares its counters on a timer, not per operation), most connections
 * checked out at once.
 */
export class DatabaseStats {
  statements = 0;
  rateLimitStatements = 0;
  peakUsed = 0;
  readonly pool: TarnPool | undefined;

  constructor(orm: Orm) {
    const knex = orm.em.getConnection().getKnex();
    this.pool = (knex.client as { pool?: TarnPool }).pool;
    knex.on('query', ({ sql }: { sql: string }) => {
      if (sql.includes(RATE_LIMIT_COUNTERS_TABLE)) {
        this.rateLimitStatements++;
      } else {
        this.statements++;
        const tally = currentTally();
        if (tally) tally.statements++;
      }
    });
    this.pool?.on('acquireSuccess', () => {
      this.peakUsed = Math.max(this.peakUsed, this.pool!.numUsed());
    });
  }
}
