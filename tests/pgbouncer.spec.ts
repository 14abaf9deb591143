import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLContext } from '../src/graphql/context';
import { seedScale } from '../src/db/seed/seeder';
import { read } from '../src/db/sql';
import { DEVICES_DEEP, newUserInput, RECORD_EVENTS } from './support/documents';
import { createOwnerAndDevice } from './support/fixtures';
import { pgBouncerAvailable, startPgBouncer, type PgBouncer } from './support/pgbouncer';
import { createTestApi, type TestApi } from './support/test-api';
import { createTestDatabase, type TestDatabase } from './support/test-database';

// The API behind PgBouncer in transaction mode (Debian's 1.18, no prepared statements in that mode):
// each transaction, and each statement outside one, may run on another server connection, shared
// with other clients. Two server connections for ten of the API's: they are shared at every turn.
const SERVER_CONNECTIONS = 2;
const DEVICE = 'query Device($id: ID!) { device(id: $id) { id name owner { id username } } }';

/** Probe fields of this spec's server only: the statement timeout a mutation's transaction runs with; a slow statement in it. */
const probe = {
  typeDefs: /* GraphQL */ `
    extend type Mutation {
      "Test probe: the statement_timeout in force where the field runs."
      probeStatementTimeout: String!
      "Test probe: a statement sleeping ms."
      probeSleep(ms: Int!): Int!
    }
  `,
  resolvers: {
    Mutation: {
      probeStatementTimeout: async (_: unknown, __: unknown, ctx: GraphQLContext) =>
        (await read<{ statement_timeout: string }>(ctx, 'show statement_timeout', []))[0]!.statement_timeout,
      probeSleep: async (_: unknown, { ms }: { ms: number }, ctx: GraphQLContext) => {
        await read(ctx, 'select pg_sleep(?::float / 1000)', [ms]);
        return ms;
      },
    },
  },
};

const describeWithPgBouncer = pgBouncerAvailable() ? describe : describe.skip;

describeWithPgBouncer('the API behind PgBouncer in transaction mode', () => {
  let db: TestDatabase;
  let bouncer: PgBouncer | undefined;

  beforeAll(async () => {
    // Made and migrated on a direct connection; the API then goes through PgBouncer.
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await bouncer?.stop();
    bouncer = undefined;
  });
  afterAll(async () => db.drop());

  /** The API on `db` through a new PgBouncer; live updates listen on a direct connection. */
  async function apiThroughPgBouncer(
    env: Record<string, string>,
    options: { ignoreStartupParameters?: string[]; onLog?: (line: Record<string, unknown>) => void } = {},
  ): Promise<TestApi> {
    bouncer = await startPgBouncer(db.url, { serverConnections: SERVER_CONNECTIONS, ignoreStartupParameters: options.ignoreStartupParameters });
    return createTestApi({
      databaseUrl: bouncer.through(db.url),
      graphqlExtension: probe,
      env: { DB_POOL_MAX: '10', DATABASE_LISTEN_URL: db.url, ...env },
      onLog: options.onLog,
    });
  }

  /** Rounds of concurrent reads, each round's on as many of the API's connections as it takes; the errors they met. */
  async function concurrentReads(api: TestApi, deviceId: string, rounds = 15): Promise<string[]> {
    const errors: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? api.gql(DEVICE, { id: deviceId }) : api.gql(DEVICES_DEEP, { first: 5 }))),
      );
      for (const response of responses) for (const error of response.errors ?? []) errors.push(error.message);
    }
    return errors;
  }

  it('serves reads, a mutation with its payload, and a subscription with DB_PREPARED_STATEMENTS=false', async () => {
    const api = await apiThroughPgBouncer({ DB_PREPARED_STATEMENTS: 'false' });
    let subscriber: Client | undefined;
    try {
      // Mutations and their payloads (user, then device with its owner).
      const { deviceId } = await createOwnerAndDevice(api, 'Pooled valve');
      expect(await concurrentReads(api, deviceId)).toEqual([]);

      // A subscription hears a reading recorded through the pooler.
      subscriber = createClient({
        url: `${api.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${api.admin!.token}` },
        retryAttempts: 0,
      });
      const heard = new Promise<FormattedExecutionResult>((resolve, reject) => {
        subscriber!.subscribe(
          { query: 'subscription ($deviceId: ID) { eventRecorded(deviceId: $deviceId) { consumption device { name } } }', variables: { deviceId } },
          { next: resolve, error: reject, complete: () => undefined },
        );
      });
      // Gives the subscribe step time to run on the server (no message says it has).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const recorded = await api.gql(RECORD_EVENTS, { inputs: [{ deviceId, consumption: 12.5, unit: 'LITERS' }] });
      expect(recorded.errors).toBeUndefined();
      expect((await heard).data).toEqual({ eventRecorded: { consumption: '12.50', device: { name: 'Pooled valve' } } });
    } finally {
      await subscriber?.dispose();
      await api.close();
    }
  });

  it("gives each mutation's transaction the statement timeout, which no session keeps there", async () => {
    const api = await apiThroughPgBouncer({ DB_PREPARED_STATEMENTS: 'false', DB_STATEMENT_TIMEOUT_MS: '300' });
    try {
      // Fields after the first run in the mutation's transaction.
      const shown = await api.gql(`mutation ($input: CreateUserInput!) { createUser(input: $input) { user { id } } probeStatementTimeout }`, {
        input: newUserInput(),
      });
      expect(shown.errors).toBeUndefined();
      expect(shown.data!.probeStatementTimeout).toBe('300ms');
      const input = newUserInput();
      const slow = await api.gql(`mutation ($input: CreateUserInput!) { createUser(input: $input) { user { id } } probeSleep(ms: 2000) }`, { input });
      expect(slow.errors?.[0]?.extensions?.code).toBe('STATEMENT_TIMEOUT');
      expect(await db.sql('select count(*)::int as n from users where username = $1', [input.username])).toEqual([{ n: 0 }]);
    } finally {
      await api.close();
    }
  });

  it('fails as the README warns with DB_PREPARED_STATEMENTS=true: named statements meet server connections that do not have them', async () => {
    // PgBouncer told to drop the timeouts, which it would otherwise refuse: the named statements are what fails.
    // Devices to read, written directly: through the API in this mode, any statement may fail.
    await seedScale(db.orm, { devices: 5, eventsPerDevice: 10 });
    const logged: Array<Record<string, unknown>> = [];
    const api = await apiThroughPgBouncer(
      { DB_PREPARED_STATEMENTS: 'true' },
      { ignoreStartupParameters: ['statement_timeout', 'idle_in_transaction_session_timeout'], onLog: (line) => logged.push(line) },
    );
    try {
      const [{ id: deviceId }] = (await db.sql<{ id: string }>('select id from devices limit 1')) as [{ id: string }];
      const errors = await concurrentReads(api, deviceId);
      // The client sees an internal error; the API's log says what it was.
      expect(errors.length).toBeGreaterThan(0);
      const causes = logged.filter((line) => line.err).map((line) => (line.err as { message: string }).message);
      expect(causes.length).toBe(errors.length);
      expect(causes.every((message) => /prepared statement "[^"]+" (does not exist|already exists)/.test(message))).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('is refused outright with DB_PREPARED_STATEMENTS=true when PgBouncer is not told to drop the timeouts', async () => {
    await expect(apiThroughPgBouncer({ DB_PREPARED_STATEMENTS: 'true' })).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
  });
});
