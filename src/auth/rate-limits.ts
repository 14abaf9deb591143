import type { EntityManager } from '@mikro-orm/postgresql';
import { read } from '../db/sql';
import { RateLimitedError } from '../shared/errors';
import { callerName, type Caller } from './caller';

/** At most `limit` points per fixed window of `windowSeconds` (windows start at multiples of it since the epoch). */
export interface Budget {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** Where an identity stands in its current window. */
export interface Usage {
  readonly limit: number;
  readonly remaining: number;
  /** When the window ends and the whole budget is back. */
  readonly resetAt: Date;
}

/** What one identity has spent in one window, as this instance knows it. */
interface Counter {
  readonly identity: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The shared total when last read from the database (this instance's synced points included). */
  known: number;
  /** Points being written by the sync in flight. */
  syncing: number;
  /** Points spent here since, not written yet. */
  pending: number;
  /** The first read of the shared total, awaited before the first decision. */
  readonly loaded: Promise<void>;
}

/** A window's start as epoch milliseconds, as the counters' keys have it. */
const WINDOW_MS = '(extract(epoch from window_start) * 1000)::bigint as window_ms';

/**
 * Adds points to some identities' counters, and answers with the shared totals of those and of
 * others; parameters: identities, window starts and points to add (arrays of one length, one row per
 * identity), then identities and window starts only to read.
 */
const ADD_AND_READ = `with added as (
    insert into rate_limit_counters (identity, window_start, points)
    select * from unnest(?::text[], ?::timestamptz[], ?::bigint[])
    on conflict (identity, window_start) do update set points = rate_limit_counters.points + excluded.points
    returning identity, window_start, points
  )
  select identity, ${WINDOW_MS}, points from added
  union all
  select c.identity, ${WINDOW_MS}, c.points from rate_limit_counters c
  join unnest(?::text[], ?::timestamptz[]) as unchanged(identity, window_start) using (identity, window_start)`;
const TOTAL = 'select points from rate_limit_counters where identity = ? and window_start = ?';
/** Rows of windows long past: no budget window is longer than a day. */
const PRUNE = "delete from rate_limit_counters where window_start < now() - interval '1 day'";
const PRUNE_EVERY_MS = 60_000;

/**
 * Budgets of points per identity and window, shared through PostgreSQL by every instance of the API.
 *
 * A decision must not cost a statement: requests are decided on this instance's counts, which it
 * adds to the shared counters every `syncMs`, reading back the shared totals of every identity it has
 * seen in the current window, in one statement. The first request of an identity in a window reads
 * the shared total first. So instances together may overspend a budget by at most what the identity
 * spends on the other instances within one sync interval. When the database cannot be reached, requests are let
 * through (a budget is not worth an outage) and the failure is reported.
 */
export class RateLimiter {
  /** By identity and window start (see {@link keyOf}); a past window's counter stays until its points are written. */
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | null = null;
  private prunedAt = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly options: { readonly syncMs: number; onError(error: unknown): void },
  ) {}

  /** Starts adding this instance's counts to the shared counters every `syncMs`. */
  start(): void {
    this.timer ??= setInterval(() => void this.sync(), this.options.syncMs).unref();
  }

  /** Stops the timer and writes what is still pending. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sync();
  }

  /** Where `identity` stands, without spending. */
  async usage(identity: string, budget: Budget): Promise<Usage> {
    const counter = this.counter(identity, budget);
    await counter.loaded;
    return usageOf(counter, budget);
  }

  /** Spends `points` of `identity`'s budget if they fit; RATE_LIMITED (nothing spent) if not. */
  async spend(identity: string, budget: Budget, points: number): Promise<Usage> {
    const counter = this.counter(identity, budget);
    await counter.loaded;
    const usage = usageOf(counter, budget);
    if (points > usage.remaining) {
      const message = `Rate limit reached: this operation costs ${points} points, and ${usage.remaining} of ${usage.limit} are left until ${usage.resetAt.toISOString()}`;
      throw new RateLimitedError(message, usage);
    }
    counter.pending += points;
    return { ...usage, remaining: usage.remaining - points };
  }

  /**
   * Spends `points` in the shared counter at once and answers with the shared total spent (these
   * points included): exact across instances, for what must never overspend (sign-in attempts). The
   * points are spent even beyond the budget: each attempt counts.
   */
  async spendNow(identity: string, budget: Budget, points: number): Promise<{ spent: number; usage: Usage }> {
    const windowStart = windowStartOf(budget, Date.now());
    const [row] = await read<{ points: string }>({ em: this.em.fork() }, ADD_AND_READ, [[identity], [new Date(windowStart)], [points], [], []]);
    const spent = Number(row!.points);
    const usage = { limit: budget.limit, remaining: Math.max(0, budget.limit - spent), resetAt: new Date(windowStart + budget.windowSeconds * 1000) };
    return { spent, usage };
  }

  /**
   * Writes every pending count to the shared counters and reads back the totals of every identity of
   * a current window, so that what the other instances spent counts here within one interval: one
   * statement.
   */
  sync(): Promise<void> {
    this.inFlight ??= this.push().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async push(): Promise<void> {
    const now = Date.now();
    const changed: Counter[] = [];
    const unchanged: Counter[] = [];
    for (const [key, counter] of this.counters) {
      if (counter.pending !== 0) {
        counter.syncing = counter.pending;
        counter.pending = 0;
        changed.push(counter);
      } else if (counter.windowEnd <= now) {
        this.counters.delete(key);
      } else {
        unchanged.push(counter);
      }
    }
    // One order on every instance: concurrent syncs lock shared rows in the same order, so never deadlock.
    changed.sort(byKey);
    try {
      if (changed.length + unchanged.length > 0) {
        const rows = await read<{ identity: string; window_ms: string; points: string }>({ em: this.em.fork() }, ADD_AND_READ, [
          changed.map((counter) => counter.identity),
          changed.map((counter) => new Date(counter.windowStart)),
          changed.map((counter) => counter.syncing),
          unchanged.map((counter) => counter.identity),
          unchanged.map((counter) => new Date(counter.windowStart)),
        ]);
        const totals = new Map(rows.map((row) => [keyOf(row.identity, Number(row.window_ms)), Number(row.points)]));
        for (const counter of changed) {
          counter.known = totals.get(keyOf(counter.identity, counter.windowStart)) ?? counter.known + counter.syncing;
          counter.syncing = 0;
        }
        for (const counter of unchanged) counter.known = Math.max(counter.known, totals.get(keyOf(counter.identity, counter.windowStart)) ?? 0);
      }
      if (now - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = now;
        await read({ em: this.em.fork() }, PRUNE, []);
      }
    } catch (error) {
      for (const counter of changed) {
        counter.pending += counter.syncing;
        counter.syncing = 0;
      }
      this.options.onError(error);
    }
  }

  /** `identity`'s counter of the current window of `budget`, new (its shared total being read) at a window's start. */
  private counter(identity: string, budget: Budget): Counter {
    const windowStart = windowStartOf(budget, Date.now());
    const key = keyOf(identity, windowStart);
    const existing = this.counters.get(key);
    if (existing) return existing;
    const counter: Counter = {
      identity,
      windowStart,
      windowEnd: windowStart + budget.windowSeconds * 1000,
      known: 0,
      syncing: 0,
      pending: 0,
      loaded: read<{ points: string }>({ em: this.em.fork() }, TOTAL, [identity, new Date(windowStart)]).then(
        ([row]) => {
          counter.known = Math.max(counter.known, Number(row?.points ?? 0));
        },
        (error: unknown) => this.options.onError(error),
      ),
    };
    this.counters.set(key, counter);
    return counter;
  }
}

function keyOf(identity: string, windowStart: number): string {
  return `${identity} ${windowStart}`;
}

function byKey(a: Counter, b: Counter): number {
  const x = keyOf(a.identity, a.windowStart);
  const y = keyOf(b.identity, b.windowStart);
  return x < y ? -1 : x > y ? 1 : 0;
}

function windowStartOf(budget: Budget, now: number): number {
  const windowMs = budget.windowSeconds * 1000;
  return Math.floor(now / windowMs) * windowMs;
}

function usageOf(counter: Counter, budget: Budget): Usage {
  const spent = counter.known + counter.syncing + counter.pending;
  return { limit: budget.limit, remaining: Math.max(0, budget.limit - spent), resetAt: new Date(counter.windowEnd) };
}

/** Who a request's budget belongs to: its user, its API key, or (anonymous) its client address. */
function identityOf(caller: Caller, ip: string): string {
  return callerName(caller) ?? `ip:${clientNetwork(ip)}`;
}

/**
 * The client's address as budgets count it: an IPv4 address itself; an IPv6 address by its /64
 * network, which one client commonly has whole (so that rotating addresses in it gains nothing).
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array.from({ length: 8 - left.length - right.length }, () => '0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The budgets the API keeps. */
export interface RateLimitBudgets {
  /** Query cost points of a signed-in user or an API key. */
  readonly caller: Budget;
  /** Query cost points of an anonymous client address. */
  readonly anonymous: Budget;
  /** Failed sign-ins per username. */
  readonly loginFailuresPerName: Budget;
  /** Sign-in attempts per client address. */
  readonly loginAttemptsPerIp: Budget;
}

/** The sign-in limits of one request's client address. */
export interface LoginThrottle {
  /**
   * Counts this attempt against the address and the username, before any password is checked:
   * RATE_LIMITED when either has used up its attempts. Counted first, so that attempts sent at once
   * cannot all slip under the limit.
   */
  before(username: string): Promise<void>;
  /** Gives the username its attempt back: only failures count against a username. */
  succeeded(username: string): Promise<void>;
}

function tooMany(usage: Usage): string {
  return `Too many sign-in attempts; try again after ${usage.resetAt.toISOString()}`;
}

/** The rate limits of one request: its caller's budget of query cost points, and the sign-in limits of its address. */
export interface RequestRateLimit {
  /** Spends an operation's cost; RATE_LIMITED (nothing spent) when it does not fit what is left. */
  spend(points: number): Promise<void>;
  readonly login: LoginThrottle;
}

/** A request's rate limits, as the HTTP layer uses them: admitted first, its usage on its response. */
export interface RequestBudget extends RequestRateLimit {
  /** RATE_LIMITED when the caller has nothing left: refused before any work. */
  admit(): Promise<void>;
  /** Where the caller's budget stands now. */
  usage(): Promise<Usage>;
}

/** The API's rate limits: the shared counters, and which budget each request spends. */
export class RateLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly budgets: RateLimitBudgets,
  ) {}

  /** The rate limits of a request from `caller` at address `ip`: a signed-in caller's budget, or the address's. */
  forRequest(caller: Caller, ip: string): RequestBudget {
    const { limiter, budgets } = this;
    return new CallerBudget(limiter, budgets, identityOf(caller, ip), caller.kind === 'anonymous' ? budgets.anonymous : budgets.caller, ip);
  }
}

/** One request's rate limits: an object per request, its sign-in limits made only when it signs in. */
class CallerBudget implements RequestBudget {
  private throttle: LoginThrottle | undefined;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly budgets: RateLimitBudgets,
    private readonly identity: string,
    private readonly budget: Budget,
    private readonly ip: string,
  ) {}

  usage(): Promise<Usage> {
    return this.limiter.usage(this.identity, this.budget);
  }

  async admit(): Promise<void> {
    const usage = await this.usage();
    if (usage.remaining === 0) {
      throw new RateLimitedError(`Rate limit reached: none of ${usage.limit} points are left until ${usage.resetAt.toISOString()}`, usage);
    }
  }

  async spend(points: number): Promise<void> {
    await this.limiter.spend(this.identity, this.budget, points);
  }

  get login(): LoginThrottle {
    return (this.throttle ??= loginThrottle(this.limiter, this.budgets, this.ip));
  }
}

/** No limit at all: for the bench's floor server only, which has no database to share counters in. */
export const UNLIMITED: RequestRateLimit = {
  spend: async () => {},
  login: { before: async () => {}, succeeded: async () => {} },
};

/** Sign-in limits for requests from `ip`, counted exactly in the shared counters. */
export function loginThrottle(limiter: RateLimiter, budgets: RateLimitBudgets, ip: string): LoginThrottle {
  const name = (username: string) => `login-name:${username.toLowerCase()}`;
  return {
    async before(username) {
      const byIp = await limiter.spendNow(`login-ip:${clientNetwork(ip)}`, budgets.loginAttemptsPerIp, 1);
      if (byIp.spent > budgets.loginAttemptsPerIp.limit) throw new RateLimitedError(tooMany(byIp.usage), byIp.usage);
      const byName = await limiter.spendNow(name(username), budgets.loginFailuresPerName, 1);
      if (byName.spent > budgets.loginFailuresPerName.limit) throw new RateLimitedError(tooMany(byName.usage), byName.usage);
    },
    async succeeded(username) {
      await limiter.spendNow(name(username), budgets.loginFailuresPerName, -1);
    },
  };
}
