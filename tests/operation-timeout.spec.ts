import type { GraphQLContext } from '../src/graphql/context';
import { read } from '../src/db/sql';
import { CREATE_USER, newUserInput } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

// The per-operation time limit (OPERATION_TIMEOUT_MS): an operation past it starts no more statements,
// answers OPERATION_TIMEOUT, writes nothing and holds no connection after.
const LIMIT_MS = 400;

/** Probe fields of this spec's server only: `steps` statements of `ms` each, one after the other. */
const probe = {
  typeDefs: /* GraphQL */ `
    extend type Query {
      "Test probe: runs steps sleeping statements of ms each, one after the other; returns how many ran."
      probeSlowSteps(steps: Int!, ms: Int!): Int!
      "Test probe: starts the same steps without waiting for them, and answers at once."
      probeDetachedSteps(steps: Int!, ms: Int!): Boolean
    }
    extend type Mutation {
      "Test probe: the same, as a mutation field."
      probeSlowWrite(steps: Int!, ms: Int!): Int!
    }
  `,
  resolvers: {
    Query: {
      probeSlowSteps: (_: unknown, args: { steps: number; ms: number }, ctx: GraphQLContext) => slowSteps(ctx, args),
      probeDetachedSteps: (_: unknown, args: { steps: number; ms: number }, ctx: GraphQLContext) => {
        void slowSteps(ctx, args).catch(() => undefined);
        return true;
      },
    },
    Mutation: { probeSlowWrite: (_: unknown, args: { steps: number; ms: number }, ctx: GraphQLContext) => slowSteps(ctx, args) },
  },
};

let ran = 0;
/** Why the last probe's steps stopped before their end (the error's class), if they did. */
let stoppedBy: string | undefined;
async function slowSteps(ctx: GraphQLContext, { steps, ms }: { steps: number; ms: number }): Promise<number> {
  ran = 0;
  stoppedBy = undefined;
  try {
    for (let i = 0; i < steps; i++) {
      await read(ctx, 'select pg_sleep(?::float / 1000)', [ms]);
      ran++;
    }
  } catch (error) {
    stoppedBy = (error as Error).constructor.name;
    throw error;
  }
  return ran;
}

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ graphqlExtension: probe, env: { OPERATION_TIMEOUT_MS: String(LIMIT_MS) } });
});
afterAll(async () => api.close());

describe('an operation past its time limit', () => {
  it('is stopped at the next statement and answers OPERATION_TIMEOUT', async () => {
    const started = performance.now();
    const res = await api.gql('{ probeSlowSteps(steps: 20, ms: 100) }');
    const elapsed = performance.now() - started;
    expect(res.errors?.[0]?.extensions?.code).toBe('OPERATION_TIMEOUT');
    expect(res.data).toBeNull();
    // 20 steps would take 2 s; it stops after the step that crossed the limit.
    expect(ran).toBeLessThanOrEqual(LIMIT_MS / 100 + 1);
    expect(elapsed).toBeLessThan(LIMIT_MS + 2 * 100 + 300);
    expect(await api.poolUsedAtRest()).toBe(0);
  });

  it('writes nothing when it is a mutation, though its earlier fields succeeded', async () => {
    const input = newUserInput();
    const mutation = `mutation ($input: CreateUserInput!) { createUser(input: $input) { user { id } } probeSlowWrite(steps: 20, ms: 100) }`;
    const res = await api.gql(mutation, { input });
    expect({ code: res.errors?.[0]?.extensions?.code, data: res.data }).toEqual({ code: 'OPERATION_TIMEOUT', data: null });
    expect(await api.db.sql('select count(*)::int as n from users where username = $1', [input.username])).toEqual([{ n: 0 }]);
    expect(await api.poolUsedAtRest()).toBe(0);
  });

  it('does not touch an operation within its time', async () => {
    expect((await api.gql('{ probeSlowSteps(steps: 2, ms: 50) }')).data).toEqual({ probeSlowSteps: 2 });
    const created = await api.gql(CREATE_USER, { input: newUserInput() });
    expect(created.errors).toBeUndefined();
  });
});

describe('an operation that has answered', () => {
  it('sends no statement for work its resolver left running, and says so', async () => {
    // Diagnostics report the refused statements: allowed on this API alone.
    const lines: Array<Record<string, unknown>> = [];
    const own = await createTestApi({ graphqlExtension: probe, env: { OPERATION_TIMEOUT_MS: String(LIMIT_MS) }, allowDiagnostics: true, onLog: (line) => lines.push(line) });
    try {
      // The operation answers at once: the work's first step may get its statement sent before that, not its second.
      const sent = await own.statements(async () => {
        expect((await own.gql('{ probeDetachedSteps(steps: 5, ms: 60) }', {}, { 'x-request-id': 'detached' })).data).toEqual({ probeDetachedSteps: true });
        // Within the operation's time (400 ms) the work would have run its 5 steps by now (300 ms).
        await new Promise((resolve) => setTimeout(resolve, 500));
      });
      expect(stoppedBy).toBe('OperationEndedError');
      expect(ran).toBeLessThanOrEqual(1);
      expect(sent.filter((sql) => sql.includes('pg_sleep'))).toHaveLength(ran);
      expect(lines.filter((line) => line.msg === 'diagnostic: statement_after_operation' && line.reqId === 'detached')).not.toHaveLength(0);
      expect(await own.poolUsedAtRest()).toBe(0);
    } finally {
      await own.close();
    }
  });
});

describe('an operation whose time ran out waiting for a connection', () => {
  it('answers OPERATION_TIMEOUT and sends nothing', async () => {
    const one = await createTestApi({ graphqlExtension: probe, env: { OPERATION_TIMEOUT_MS: String(LIMIT_MS), DB_POOL_MAX: '1' } });
    try {
      // The first holds the pool's one connection for twice the limit; the second waits for it past its own.
      const holding = one.gql('{ probeSlowSteps(steps: 1, ms: 800) }');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      const waiting = await one.gql('{ probeSlowSteps(steps: 1, ms: 10) }');
      expect(performance.now() - started).toBeGreaterThan(LIMIT_MS);
      expect({ code: waiting.errors?.[0]?.extensions?.code, data: waiting.data }).toEqual({ code: 'OPERATION_TIMEOUT', data: null });
      expect((await holding).data).toEqual({ probeSlowSteps: 1 });
      expect(await one.poolUsedAtRest()).toBe(0);
    } finally {
      await one.close();
    }
  });
});

describe('a statement past DB_STATEMENT_TIMEOUT_MS', () => {
  it('is cancelled by PostgreSQL, answers STATEMENT_TIMEOUT, and its connection goes back to the pool, fit for use', async () => {
    const short = await createTestApi({ graphqlExtension: probe, env: { DB_STATEMENT_TIMEOUT_MS: '200', DB_POOL_MAX: '1' } });
    try {
      const started = performance.now();
      const res = await short.gql('{ probeSlowSteps(steps: 1, ms: 2000) }');
      expect({ code: res.errors?.[0]?.extensions?.code, message: res.errors?.[0]?.message }).toEqual({
        code: 'STATEMENT_TIMEOUT',
        message: 'A database statement ran past its time limit and was cancelled: ask for less at a time, or retry later',
      });
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(await short.poolUsedAtRest()).toBe(0);
      // The pool's one connection serves the next operation.
      expect((await short.gql('{ probeSlowSteps(steps: 1, ms: 10) }')).data).toEqual({ probeSlowSteps: 1 });
    } finally {
      await short.close();
    }
  });
});
