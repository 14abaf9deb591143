import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { AppDependencies } from '../../src/http/app';
import { buildApp } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { ephemeralTokens, type Tokens } from '../../src/auth/tokens';
import type { Exposure } from '../../src/config';
import { RATE_LIMIT_COUNTERS_TABLE, User } from '../../src/entities';
import { createTestDatabase, openTestDatabase, type TestDatabase } from './test-database';

export interface GraphQLResponse<Data = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

/** The real stack (Fastify + Apollo + MikroORM) on a fresh database, listening on a local port. */
export interface TestApi {
  readonly db: TestDatabase;
  readonly app: FastifyInstance;
  readonly url: string;
  /** Issues and checks this API's access tokens (a random key per test API). */
  readonly tokens: Tokens;
  /** An ADMIN user made for the test API (unless `withAdmin: false`); requests carry its token unless they say otherwise. */
  readonly admin: { readonly id: string; readonly token: string } | undefined;
  /**
   * One GraphQL operation over HTTP, as the admin unless `headers` has an `authorization` of its own
   * (an empty one: anonymous).
   */
  gql<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  /** A batched HTTP request: several operations in one POST. */
  batch(operations: Array<{ query: string; variables?: Record<string, unknown> }>): Promise<{ status: number; body: any }>;
  /**
   * The SQL statements the work sends, as the connection pool sees them, but for the rate limiter's:
   * it shares its counters in the background, on a timer, not as part of any operation.
   */
  statements(work: () => Promise<unknown>): Promise<string[]>;
  /** One value of /metrics. */
  metric(name: string): Promise<number>;
  /**
   * Connections checked out of the pool once the operations are done: 0 unless one leaked. Read until
   * it is 0, for up to a second: the rate limiter borrows one for a moment every sync interval.
   */
  poolUsedAtRest(): Promise<number>;
  close(): Promise<void>;
}

export async function createTestApi(
  options: Pick<AppDependencies, 'graphqlExtension'> & {
    /** DataLoaders batch lookups (true); false to measure the N+1 they remove. */
    dataloaders?: boolean;
    env?: Record<string, string>;
    exposure?: Exposure;
    /** Make an ADMIN user whose token requests carry by default (true); false: requests are anonymous by default. */
    withAdmin?: boolean;
    /** Diagnostics may be raised (the no-loader mode repeats statements on purpose); otherwise `close` fails on any. */
    allowDiagnostics?: boolean;
    /** Receives the API's log lines (info and above), parsed; without it the API logs nothing. */
    onLog?: (line: Record<string, unknown>) => void;
    /** A database of the test's own (left in place at `close`), instead of a fresh one on the test server. */
    databaseUrl?: string;
    /** Another test API's tokens: a second instance of the same API. */
    tokens?: Tokens;
  } = {},
): Promise<TestApi> {
  const db = options.databaseUrl ? await openTestDatabase(options.databaseUrl, options.env) : await createTestDatabase(options.env);
  const tokens = options.tokens ?? ephemeralTokens();
  const app = await buildApp({
    orm: db.orm,
    logger: options.onLog
      ? createLogger({ logLevel: 'info', nodeEnv: 'test' }, { write: (text: string) => options.onLog!(JSON.parse(text) as Record<string, unknown>) })
      : pino({ level: 'silent' }),
    tokens,
    settings: {
      ...db.config,
      exposure: options.exposure ?? { introspection: true, graphiql: true, schemaHints: true },
      dataloaders: options.dataloaders ?? true,
    },
    graphqlExtension: options.graphqlExtension,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const admin = options.withAdmin === false ? undefined : await createAdmin(db, tokens);
  const post = (body: unknown, headers: Record<string, string> = {}) => {
    const { authorization = admin ? `Bearer ${admin.token}` : '', ...rest } = headers;
    const credentials: Record<string, string> = authorization === '' ? {} : { authorization };
    return fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...credentials, ...rest },
      body: JSON.stringify(body),
    });
  };

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no metric ${name} in:\n${text}`);
    return Number(line.split(' ')[1]);
  };

  return {
    db,
    app,
    url,
    tokens,
    admin,
    gql: async (query, variables, headers) => {
      const response = await post({ query, variables }, headers);
      const text = await response.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`);
      }
      return { status: response.status, headers: response.headers, ...body };
    },
    batch: async (operations) => {
      const response = await post(operations);
      return { status: response.status, body: await response.json() };
    },
    statements: async (work) => {
      const seen: string[] = [];
      const knex = db.orm.em.getConnection().getKnex();
      const listener = (query: { sql: string }) => {
        if (!query.sql.includes(RATE_LIMIT_COUNTERS_TABLE)) seen.push(query.sql);
      };
      knex.on('query', listener);
      try {
        await work();
      } finally {
        knex.removeListener('query', listener);
      }
      return seen;
    },
    metric,
    poolUsedAtRest: async () => {
      let used = await metric('aquamind_db_pool_used');
      for (let waited = 0; used !== 0 && waited < 1_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        used = await metric('aquamind_db_pool_used');
      }
      return used;
    },
    close: async () => {
      // Diagnostics (an N+1 a loader missed, work outliving its operation) fail the spec that raised them.
      const diagnostics = (await (await fetch(`${url}/metrics`)).text()).split('\n').filter((line) => /^aquamind_diagnostics_total\{/.test(line));
      await app.close();
      await db.drop();
      if (!options.allowDiagnostics && diagnostics.length > 0) {
        throw new Error(`diagnostics raised (see the API's warnings; createTestApi({ onLog }) shows them):\n${diagnostics.join('\n')}`);
      }
    },
  };
}

/** An ADMIN user straight in the database (no password anyone knows), and a token for it. */
async function createAdmin(db: TestDatabase, tokens: Tokens): Promise<{ id: string; token: string }> {
  const em = db.orm.em.fork();
  // Unique: several test APIs may share one database (`databaseUrl`).
  const username = `test_admin_${randomBytes(4).toString('hex')}`;
  const admin = em.create(User, {
    username,
    email: `${username}@example.com`,
    passwordHash: 'none',
    firstName: 'Test',
    lastName: 'Admin',
    role: 'ADMIN',
  });
  await em.persist(admin).flush();
  return { id: admin.id, token: (await tokens.issue(admin.id)).token };
}
