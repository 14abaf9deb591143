import path from 'node:path';

/** Every setting the API reads from its environment, parsed and validated once. */
export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Unset means: start the embedded PostgreSQL in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * Where live updates LISTEN: a session of their own, directly on the primary (a transaction pooler
   * such as PgBouncer cannot hold one). Unset: the database the API uses.
   */
  readonly databaseListenUrl: string | undefined;
  /** Streaming replicas of the primary that queries may read from (none: every read goes to the primary). */
  readonly replicas: {
    readonly urls: readonly string[];
    /** A replica further behind than this takes no reads until it catches up. */
    readonly maxLagMs: number;
    /** How often each replica's state and lag are checked. */
    readonly checkMs: number;
  };
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  readonly db: {
    readonly poolMax: number;
    readonly poolMin: number;
    readonly acquireTimeoutMs: number;
    readonly statementTimeoutMs: number;
    /** Statements slower than this are logged at `warn`. */
    readonly slowStatementMs: number;
    readonly idleInTransactionTimeoutMs: number;
    /**
     * Statements made with `prepared` are sent named, prepared once per connection, and the timeouts
     * are the session's, from its start (default). Off behind a transaction pooler (PgBouncer in
     * `transaction` mode), where a server connection and its prepared statements are shared with other
     * clients, and refuses the timeouts as startup parameters: the same statements go unnamed, and each
     * transaction sets its timeouts for itself.
     */
    readonly preparedStatements: boolean;
  };
  /** Seed demo data when the database has none (default: only on the embedded PostgreSQL). */
  readonly seedOnStart: boolean;
  readonly adminPassword: string | undefined;
  /** DataLoaders batch lookups (default). Off only to measure the N+1 they remove (`npm run bench`). */
  readonly dataloaders: boolean;
  /** What the API shows of itself: off by default in production. */
  readonly exposure: Exposure;
  readonly auth: {
    /** The HS256 key that signs access tokens; unset outside production: one is made and kept in `dataDir`. */
    readonly signingKey: string | undefined;
    readonly tokenTtlSeconds: number;
    readonly issuer: string;
    readonly audience: string;
  };
  readonly rateLimits: RateLimitSettings;
  /** How long one GraphQL operation may run before it is stopped (OPERATION_TIMEOUT). */
  readonly operationTimeoutMs: number;
  /** Warnings of an N+1 a loader missed, and of work outliving its operation (on outside production). */
  readonly diagnostics: { readonly enabled: boolean; readonly repeatedStatements: number };
  /** How long a shutdown waits for requests in flight before it closes the connections left. */
  readonly shutdownGraceMs: number;
  /** How many proxies in front of the API to trust for the client's address (`X-Forwarded-For`); 0: none. */
  readonly trustedProxies: number;
}

/** Budgets per identity and fixed window, shared by every instance through PostgreSQL. */
export interface RateLimitSettings {
  readonly budgets: {
    /** Query cost points per window of a signed-in user or an API key. */
    readonly caller: { readonly limit: number; readonly windowSeconds: number };
    /** Query cost points per window of an anonymous IP address. */
    readonly anonymous: { readonly limit: number; readonly windowSeconds: number };
    /** Failed sign-ins per username and window. */
    readonly loginFailuresPerName: { readonly limit: number; readonly windowSeconds: number };
    /** Sign-in attempts per IP address and window. */
    readonly loginAttemptsPerIp: { readonly limit: number; readonly windowSeconds: number };
  };
  /** How often an instance adds its counts to the shared counters. */
  readonly syncMs: number;
}

/** What the API shows of itself to clients. */
export interface Exposure {
  /** Introspection queries (`__schema`, `__type`): GraphiQL's docs and tools need them. */
  readonly introspection: boolean;
  /** The GraphiQL page at GET /graphql (from a browser). */
  readonly graphiql: boolean;
  /** Errors name fields and types that exist ("Did you mean …?"): off in production. */
  readonly schemaHints: boolean;
}

/** The shortest signing key accepted, in bytes: HS256's own output size. */
export const MIN_SIGNING_KEY_BYTES = 32;

/** A bad environment variable; the message names it. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration from `env` (the process environment by default). */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const databaseUrl = read.url('DATABASE_URL');
  const poolMax = read.int('DB_POOL_MAX', 10, { min: 1, max: 1000 });
  const poolMin = read.int('DB_POOL_MIN', 0, { min: 0, max: 1000 });
  if (poolMin > poolMax) {
    throw new ConfigError('DB_POOL_MIN', `must not exceed DB_POOL_MAX (${poolMax}), got ${poolMin}`);
  }
  const nodeEnv = read.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const signingKey = read.optional('AUTH_SIGNING_KEY');
  if (signingKey === undefined && nodeEnv === 'production') {
    throw new ConfigError('AUTH_SIGNING_KEY', `is required in production: at least ${MIN_SIGNING_KEY_BYTES} random bytes, e.g. from \`openssl rand -base64 48\``);
  }
  if (signingKey !== undefined && Buffer.byteLength(signingKey) < MIN_SIGNING_KEY_BYTES) {
    throw new ConfigError('AUTH_SIGNING_KEY', `must be at least ${MIN_SIGNING_KEY_BYTES} bytes long, got ${Buffer.byteLength(signingKey)}`);
  }
  return Object.freeze({
    nodeEnv,
    host: read.string('HOST', '0.0.0.0'),
    port: read.int('PORT', 4000, { min: 0, max: 65535 }),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    databaseUrl,
    databaseListenUrl: read.url('DATABASE_LISTEN_URL'),
    replicas: Object.freeze({
      urls: Object.freeze(read.urls('DATABASE_REPLICA_URLS')),
      maxLagMs: read.int('DB_REPLICA_MAX_LAG_MS', 5_000, { min: 1 }),
      checkMs: read.int('DB_REPLICA_CHECK_MS', 200, { min: 10, max: 60_000 }),
    }),
    dataDir: path.resolve(read.string('AQUAMIND_DATA_DIR', '.data')),
    embeddedPgPort: read.int('EMBEDDED_PG_PORT', 54329, { min: 1, max: 65535 }),
    db: Object.freeze({
      poolMax,
      poolMin,
      acquireTimeoutMs: read.int('DB_ACQUIRE_TIMEOUT_MS', 5_000, { min: 1 }),
      statementTimeoutMs: read.int('DB_STATEMENT_TIMEOUT_MS', 15_000, { min: 0 }),
      slowStatementMs: read.int('DB_SLOW_STATEMENT_MS', 1_000, { min: 1 }),
      idleInTransactionTimeoutMs: read.int('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10_000, { min: 0 }),
      preparedStatements: read.bool('DB_PREPARED_STATEMENTS', true),
    }),
    seedOnStart: read.bool('SEED_ON_START', databaseUrl === undefined),
    adminPassword: read.optional('AQUAMIND_ADMIN_PASSWORD'),
    dataloaders: read.bool('AQUAMIND_DATALOADERS', true),
    exposure: Object.freeze({
      introspection: read.bool('AQUAMIND_INTROSPECTION', nodeEnv !== 'production'),
      graphiql: read.bool('AQUAMIND_GRAPHIQL', nodeEnv !== 'production'),
      schemaHints: nodeEnv !== 'production',
    }),
    auth: Object.freeze({
      signingKey,
      tokenTtlSeconds: read.int('AUTH_TOKEN_TTL_SECONDS', 8 * 60 * 60, { min: 60, max: 30 * 24 * 60 * 60 }),
      issuer: read.string('AUTH_ISSUER', 'aquamind-api'),
      audience: read.string('AUTH_AUDIENCE', 'aquamind'),
    }),
    rateLimits: rateLimitSettings(read),
    operationTimeoutMs: read.int('OPERATION_TIMEOUT_MS', 10_000, { min: 100 }),
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 10 * 60_000 }),
    diagnostics: Object.freeze({
      enabled: read.bool('DIAGNOSTICS', nodeEnv !== 'production'),
      repeatedStatements: read.int('DIAGNOSTICS_REPEATED_STATEMENTS', 10, { min: 1 }),
    }),
    trustedProxies: read.int('TRUSTED_PROXIES', 0, { min: 0, max: 10 }),
  });
}

const DAY_SECONDS = 24 * 60 * 60;

function rateLimitSettings(read: EnvReader): RateLimitSettings {
  const windowSeconds = read.int('RATE_LIMIT_WINDOW_SECONDS', 60, { min: 1, max: DAY_SECONDS });
  const loginWindowSeconds = read.int('LOGIN_LIMIT_WINDOW_SECONDS', 15 * 60, { min: 1, max: DAY_SECONDS });
  return Object.freeze({
    budgets: Object.freeze({
      caller: { limit: read.int('RATE_LIMIT_POINTS', 1_000_000, { min: 1 }), windowSeconds },
      anonymous: { limit: read.int('RATE_LIMIT_ANONYMOUS_POINTS', 20_000, { min: 1 }), windowSeconds },
      loginFailuresPerName: { limit: read.int('LOGIN_FAILURES_PER_USERNAME', 10, { min: 1 }), windowSeconds: loginWindowSeconds },
      loginAttemptsPerIp: { limit: read.int('LOGIN_ATTEMPTS_PER_IP', 100, { min: 1 }), windowSeconds: loginWindowSeconds },
    }),
    syncMs: read.int('RATE_LIMIT_SYNC_MS', 250, { min: 10, max: 60_000 }),
  });
}

class EnvReader {
  constructor(private readonly env: Env) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
    const value = Number(raw);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (value < min || value > max) {
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  }

  oneOf<const T extends readonly string[]>(name: string, allowed: T, fallback: T[number]): T[number] {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!allowed.includes(raw)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
    }
    return raw;
  }

  /** Comma-separated postgres:// URLs; none when unset. */
  urls(name: string): string[] {
    const raw = this.optional(name);
    if (raw === undefined) return [];
    return raw.split(',').map((part) => {
      const url = part.trim();
      if (url === '') throw new ConfigError(name, 'has an empty entry: give comma-separated postgres:// URLs');
      return this.checkedUrl(name, url);
    });
  }

  url(name: string): string | undefined {
    const raw = this.optional(name);
    return raw === undefined ? undefined : this.checkedUrl(name, raw);
  }

  private checkedUrl(name: string, raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(name, 'must be a URL such as postgres://user:password@host:5432/database');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError(name, `must be a postgres:// URL, got the scheme "${url.protocol}"`);
    }
    return raw;
  }
}
