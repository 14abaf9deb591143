import { setTimeout as sleep } from 'node:timers/promises';
import { FlushMode } from '@mikro-orm/core';
import { Client } from 'pg';
import { User } from '../src/entities';
import type { GraphQLContext } from '../src/graphql/context';
import { findByIds } from '../src/db/lookup';
import { touch } from '../src/db/versioning';
import { CREATE_USER, newUserInput, USER } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

/**
 * Probe fields that exist only in this spec's server: they do what the real API never should
 * (change an entity in a query, wait while holding changes) so the guarantees can be watched.
 */
const probe = {
  typeDefs: /* GraphQL */ `
    extend type Query {
      "Test probe: changes a user entity in memory during a query."
      probeRenameUser(id: ID!, firstName: String!): User
      "Test probe: the id of this operation's fork and whether its loaders are the global ones."
      probeFork: String!
    }
    extend type Mutation {
      "Test probe: loads a user, waits, then renames it."
      probeSlowRename(id: ID!, firstName: String!, ms: Int!): User
      "Test probe: always fails."
      probeFail: Boolean
    }
  `,
  resolvers: {
    Query: {
      probeRenameUser: async (_: unknown, args: { id: string; firstName: string }, ctx: GraphQLContext) => {
        const [user] = await findByIds(ctx.em, User, [args.id]);
        if (user) user.firstName = args.firstName;
        return user;
      },
      probeFork: (_: unknown, __: unknown, ctx: GraphQLContext) => `${ctx.em.id}`,
    },
    Mutation: {
      probeSlowRename: async (_: unknown, args: { id: string; firstName: string; ms: number }, ctx: GraphQLContext) => {
        const [user] = await findByIds(ctx.em, User, [args.id]);
        await sleep(args.ms);
        if (user) {
          user.firstName = args.firstName;
          touch(ctx.em, user);
        }
        return user;
      },
      probeFail: () => {
        throw new Error('probe failure');
      },
    },
  },
};

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ graphqlExtension: probe });
});
afterAll(async () => api.close());

async function createUser(overrides: Record<string, unknown> = {}) {
  const res = await api.gql(CREATE_USER, { input: newUserInput(overrides) });
  expect(res.errors).toBeUndefined();
  return res.data!.createUser.user as { id: string; username: string; email: string; firstName: string; version: number };
}

async function userRow(id: string) {
  const [row] = await api.db.sql<{ first_name: string; version: number }>('select first_name, version from users where id = $1', [id]);
  return row;
}

const usernameCount = async (username: string) =>
  Number((await api.db.sql<{ n: string }>('select count(*) as n from users where username = $1', [username]))[0]?.n);

describe('the unit of work', () => {
  it('gives each operation its own fork, never the global EntityManager', async () => {
    const { body } = await api.batch([{ query: '{ probeFork }' }, { query: '{ probeFork }' }, { query: '{ probeFork }' }]);
    const forks = (body as Array<{ data: { probeFork: string } }>).map((r) => r.data.probeFork);
    expect(new Set(forks).size).toBe(3);
    expect(forks).not.toContain(`${api.db.orm.em.id}`);
    // The global EntityManager refuses request work (allowGlobalContext: false).
    expect(() => api.db.orm.em.getUnitOfWork()).toThrow(/global EntityManager/);
  });

  it('makes no fork for a query that only reads records, and one for a mutation', async () => {
    const user = await createUser();
    const fork = jest.spyOn(api.db.orm.em, 'fork');
    try {
      // The unit-of-work plugin's forks are the ones that never flush on their own.
      const operationForks = () => fork.mock.calls.filter(([options]) => options?.flushMode === FlushMode.COMMIT).length;
      const read = await api.gql(USER, { id: user.id });
      expect(read.data?.user).toMatchObject({ id: user.id });
      expect(operationForks()).toBe(0);
      const written = await api.gql(`mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Forked" }) { user { firstName } } }`, { id: user.id });
      expect(written.data?.updateUser.user).toEqual({ firstName: 'Forked' });
      expect(operationForks()).toBe(1);
    } finally {
      fork.mockRestore();
    }
  });

  it('makes a mutation atomic: when its second field fails, nothing of the first is written', async () => {
    const good = newUserInput();
    const res = await api.gql(
      `mutation ($good: CreateUserInput!, $bad: CreateUserInput!) {
        a: createUser(input: $good) { user { id } }
        b: createUser(input: $bad) { user { id } }
      }`,
      { good, bad: newUserInput({ email: 'not-an-email' }) },
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(res.data).toBeNull();
    expect(await usernameCount(good.username)).toBe(0);
  });

  it('sees its own changes within the operation (one identity map)', async () => {
    const owner = await createUser();
    const res = await api.gql(
      `mutation ($ownerId: ID!) {
        a: updateUser(id: $ownerId, input: { firstName: "Within" }) { user { firstName } }
        b: deactivateUser(id: $ownerId) { user { firstName active } }
      }`,
      { ownerId: owner.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.b.user).toEqual({ firstName: 'Within', active: false });
    expect(await userRow(owner.id)).toEqual({ first_name: 'Within', version: 2 });
  });

  it('never writes from a query, even when an entity was changed in memory', async () => {
    const user = await createUser({ firstName: 'Original' });
    const res = await api.gql('query ($id: ID!) { probeRenameUser(id: $id, firstName: "Changed") { firstName } }', { id: user.id });
    expect(res.data?.probeRenameUser.firstName).toBe('Changed'); // changed in the query's memory ...
    expect(await userRow(user.id)).toEqual({ first_name: 'Original', version: 1 }); // ... never in the database
  });

  it('answers a unique violation at flush with CONFLICT naming the field, data null, nothing written', async () => {
    const first = newUserInput();
    const second = newUserInput({ username: first.username });
    const res = await api.gql(
      `mutation ($a: CreateUserInput!, $b: CreateUserInput!) {
        a: createUser(input: $a) { user { id } }
        b: createUser(input: $b) { user { id } }
      }`,
      { a: first, b: second },
    );
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.username' });
    expect(await usernameCount(first.username)).toBe(0);
    const emails = await api.db.sql('select 1 from users where email = $1 or email = $2', [first.email, second.email]);
    expect(emails).toEqual([]);
  });

  it('answers a stale version (changed between read and flush) with CONFLICT, data null, nothing written', async () => {
    const user = await createUser({ firstName: 'Before' });
    const slow = api.gql('mutation ($id: ID!) { probeSlowRename(id: $id, firstName: "Lost", ms: 300) { firstName } }', { id: user.id });
    await sleep(100);
    await api.db.sql(`update users set last_name = 'Concurrent', version = version + 1 where id = $1`, [user.id]);
    const res = await slow;
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.expectedVersion' });
    expect(await userRow(user.id)).toEqual({ first_name: 'Before', version: 2 });
  });

  it('answers CONFLICT and writes nothing when one of several updated rows changed under the flush', async () => {
    const a = await createUser({ firstName: 'A' });
    const b = await createUser({ firstName: 'B' });
    // Another writer holds A's row with an uncommitted version bump, so this flush's version pre-check
    // still sees version 1 and its UPDATE of A waits; the other writer then commits.
    const other = new Client({ connectionString: api.db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`update users set last_name = 'Other', version = version + 1 where id = $1`, [a.id]);
      const mutation = api.gql(
        `mutation ($a: ID!, $b: ID!) {
          x: updateUser(id: $a, input: { firstName: "Mine", expectedVersion: 1 }) { user { version } }
          y: updateUser(id: $b, input: { firstName: "Mine too", expectedVersion: 1 }) { user { version } }
        }`,
        { a: a.id, b: b.id },
      );
      await sleep(300);
      await other.query('commit');
      const res = await mutation;
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.expectedVersion' });
    } finally {
      await other.end();
    }
    expect(await userRow(a.id)).toEqual({ first_name: 'A', version: 2 });
    expect(await userRow(b.id)).toEqual({ first_name: 'B', version: 1 });
  });

  it('answers a stale expectedVersion with CONFLICT and writes nothing', async () => {
    const user = await createUser({ firstName: 'Kept' });
    const res = await api.gql(
      'mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Overwritten", expectedVersion: 7 }) { user { id } } }',
      { id: user.id },
    );
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.expectedVersion' });
    expect(await userRow(user.id)).toEqual({ first_name: 'Kept', version: 1 });
  });

  it('never lets a concurrent operation see another one\'s unflushed changes', async () => {
    const user = await createUser({ firstName: 'Visible' });
    // This mutation renames the user in memory, holds it, then fails: it is never flushed.
    const writer = api.gql(
      'mutation ($id: ID!) { a: probeSlowRename(id: $id, firstName: "Phantom", ms: 400) { id } b: probeFail }',
      { id: user.id },
    );
    await sleep(150);
    const [concurrentRead, batchedRead] = await Promise.all([
      api.gql(USER, { id: user.id }),
      api.batch([{ query: USER, variables: { id: user.id } }, { query: USER, variables: { id: user.id } }]),
    ]);
    expect(concurrentRead.data?.user.firstName).toBe('Visible');
    expect(batchedRead.body.map((r: any) => r.data.user.firstName)).toEqual(['Visible', 'Visible']);
    expect((await writer).data).toBeNull();
    expect(await userRow(user.id)).toEqual({ first_name: 'Visible', version: 1 });
  });

  it('gives each operation of a batched HTTP request its own unit of work', async () => {
    const good = newUserInput();
    const bad = newUserInput({ password: 'short' });
    const { status, body } = await api.batch([
      { query: CREATE_USER, variables: { input: good } },
      { query: CREATE_USER, variables: { input: bad } },
      { query: 'mutation { probeFail }' },
    ]);
    expect(status).toBe(200);
    expect(body[0].errors).toBeUndefined();
    expect(body[0].data.createUser.user.username).toBe(good.username);
    expect(body[1]).toMatchObject({ data: null, errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'input.password' } }] });
    expect(body[2].data).toBeNull();
    expect(await usernameCount(good.username)).toBe(1);
    expect(await usernameCount(bad.username)).toBe(0);
  });

  it('leaves no fork alive and no connection checked out after 1,000 mixed operations', async () => {
    const user = await createUser();
    const before = await api.metric('aquamind_unit_of_work_operations_total');
    const kinds: Array<() => Promise<unknown>> = [
      () => api.gql(USER, { id: user.id }),
      () => api.gql(CREATE_USER, { input: newUserInput() }),
      () => api.gql(CREATE_USER, { input: newUserInput({ username: 'x' }) }), // invalid
      () => api.gql('mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Z", expectedVersion: 999 }) { user { id } } }', { id: user.id }),
      () => api.gql('{ users(first: 5) { totalCount edges { node { id devices(first: 2) { totalCount } } } } }'),
      () => api.gql('{ nope }'), // validation failure
      () => api.gql('{ users(first: '), // parse failure
      () => api.gql('mutation { probeFail }'),
      () => api.batch([{ query: USER, variables: { id: user.id } }, { query: 'mutation { probeFail }' }]),
      () => api.gql(`mutation ($a: CreateUserInput!) { a: createUser(input: $a) { user { id } } b: createUser(input: $a) { user { id } } }`, {
        a: newUserInput(),
      }), // flush conflict
    ];
    let sent = 0;
    let operations = 0;
    const worker = async () => {
      while (sent < 1000) {
        const kind = sent % kinds.length;
        sent++;
        operations += kind === 8 ? 2 : 1;
        await kinds[kind]!();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    expect(await api.metric('aquamind_unit_of_work_operations_total')).toBe(before + operations);
    expect(await api.metric('aquamind_unit_of_work_live_forks')).toBe(0);
    expect(await api.poolUsedAtRest()).toBe(0);
    expect(await api.metric('aquamind_db_pool_pending_acquires')).toBe(0);
  });
});
