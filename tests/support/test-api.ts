import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { AppDependencies } from '../../src/http/app';
import { buildApp } from '../../src/http/app';
import { ephemeralTokens, type Tokens } from '../../src/auth/tokens';
import type { Exposure } from '../../src/config';
import { createTestDatabase, type TestDatabase } from './test-database';

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
  /** One GraphQL operation over HTTP; `headers` go with it (e.g. `authorization`). */
  gql<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  /** A batched HTTP request: several operations in one POST. */
  batch(operations: Array<{ query: string; variables?: Record<string, unknown> }>): Promise<{ status: number; body: any }>;
  /** The SQL statements the work sends, as the connection pool sees them. */
  statements(work: () => Promise<unknown>): Promise<string[]>;
  /** One value of /metrics. */
  metric(name: string): Promise<number>;
  close(): Promise<void>;
}

export async function createTestApi(
  options: Pick<AppDependencies, 'graphqlExtension' | 'dataloaders'> & { env?: Record<string, string>; exposure?: Exposure } = {},
): Promise<TestApi> {
  const db = await createTestDatabase(options.env);
  const tokens = ephemeralTokens();
  const app = await buildApp({
    orm: db.orm,
    logger: pino({ level: 'silent' }),
    tokens,
    exposure: options.exposure ?? { introspection: true, graphiql: true, schemaHints: true },
    dataloaders: options.dataloaders,
    graphqlExtension: options.graphqlExtension,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  return {
    db,
    app,
    url,
    tokens,
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
      const listener = (query: { sql: string }) => seen.push(query.sql);
      knex.on('query', listener);
      try {
        await work();
      } finally {
        knex.removeListener('query', listener);
      }
      return seen;
    },
    metric: async (name) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      if (!line) throw new Error(`no metric ${name} in:\n${text}`);
      return Number(line.split(' ')[1]);
    },
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
