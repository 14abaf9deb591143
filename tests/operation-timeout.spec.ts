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
    }
    extend type Mutation {
      "Test probe: the same, as a mutation field."
      probeSlowWrite(steps: Int!, ms: Int!): Int!
    }
  `,
  resolvers: {
    Query: { probeSlowSteps: (_: unknown, args: { steps: number; ms: number }, ctx: GraphQLContext) => slowSteps(ctx, args) },
    Mutation: { probeSlowWrite: (_: unknown, args: { steps: number; ms: number }, ctx: GraphQLContext) => slowSteps(ctx, args) },
  },
};

let ran = 0;
async function slowSteps(ctx: GraphQLContext, { steps, ms }: { steps: number; ms: number }): Promise<number> {
  ran = 0;
  for (let i = 0; i < steps; i++) {
    await read(ctx, 'select pg_sleep(?::float / 1000)', [ms]);
    ran++;
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
