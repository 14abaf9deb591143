import type { RateLimitSettings } from '../config';
import type { Orm } from '../db/orm';
import { authenticateApiKey } from './api-keys';
import type { Caller } from './caller';
import { callerOf } from './credentials';
import { RateLimiter, RateLimits, type RequestBudget } from './rate-limits';
import type { Tokens } from './tokens';

/**
 * How a request is let in: the caller its credentials name, and the rate limits it spends. The HTTP
 * layer admits every request through one; what each rule is lives in this folder.
 */
export interface Admission {
  /** What issues and checks access tokens (`login` issues them). */
  readonly tokens: Tokens;
  /** The caller an `Authorization` header names; RejectedCredentialsError when it is there but not acceptable. */
  callerOf(authorization: string | undefined): Promise<Caller>;
  /** The rate limits of a request from `caller` at address `ip`; absent only in the bench's floor server. */
  readonly limits?: (caller: Caller, ip: string) => RequestBudget;
}

/**
 * The API's admission: access tokens by `tokens`, API keys against the database (each check on a fork
 * of its own: it comes before the operation's unit of work exists), and rate limits shared with the
 * other instances through the database, synced until `stop`.
 */
export function startAdmission(
  orm: Orm,
  tokens: Tokens,
  settings: RateLimitSettings,
  onSyncError: (error: unknown) => void,
): Admission & { stop(): Promise<void> } {
  const apiKey = (secret: string) => authenticateApiKey({ em: orm.em.fork() }, secret);
  const limiter = new RateLimiter(orm.em, { syncMs: settings.syncMs, onError: onSyncError });
  const rateLimits = new RateLimits(limiter, settings.budgets);
  limiter.start();
  return {
    tokens,
    callerOf: (authorization) => callerOf(authorization, { tokens, apiKey }),
    limits: (caller, ip) => rateLimits.forRequest(caller, ip),
    // Writes the last counts: after the requests in flight, before the pool closes.
    stop: () => limiter.stop(),
  };
}
