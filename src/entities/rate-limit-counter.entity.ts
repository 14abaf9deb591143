import { defineEntity } from '@mikro-orm/core';

/**
 * Points spent by one identity (a user, an API key, an IP address, a login name) in one fixed window
 * of time. Every API instance adds to the same rows, so instances behind one load balancer share one
 * budget. Rows of past windows are deleted by the instances as they go.
 */
export class RateLimitCounter {
  /** `user:<id>`, `apiKey:<id>`, `ip:<address>`, `login-ip:<address>`, `login-name:<username>`. */
  identity!: string;
  windowStart!: Date;
  points!: number;
}

/** The counters' table: what tells the rate limiter's statements from those of operations. */
export const RATE_LIMIT_COUNTERS_TABLE = 'rate_limit_counters';

export const RateLimitCounterSchema = defineEntity({
  class: RateLimitCounter,
  tableName: RATE_LIMIT_COUNTERS_TABLE,
  properties: (p) => ({
    identity: p.string().length(200).primary(),
    windowStart: p.datetime().columnType('timestamptz').primary(),
    points: p.bigint('number'),
  }),
});
