import { verifyPassword } from '../src/shared/password';
import { CREATE_USER, newUserInput, UPDATE_USER } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const USERS = `query ($first: Int, $after: String, $search: String, $active: Boolean) {
  users(first: $first, after: $after, search: $search, active: $active) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { username active } }
  }
}`;

async function create(overrides: Record<string, unknown> = {}) {
  const res = await api.gql(CREATE_USER, { input: newUserInput(overrides) });
  expect(res.errors).toBeUndefined();
  return res.data!.createUser.user;
}

describe('createUser', () => {
  it('creates an active USER with version 1, a lower-case email and an argon2id password hash', async () => {
    const input = newUserInput({ email: 'Mixed.Case@Example.COM', secondLastName: 'Ruiz', birthDate: '1990-05-17' });
    const res = await api.gql(CREATE_USER, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createUser.user).toMatchObject({
      username: input.username,
      email: 'mixed.case@example.com',
      secondLastName: 'Ruiz',
      birthDate: '1990-05-17',
      role: 'USER',
      active: true,
      version: 1,
    });
    const [row] = await api.db.sql<{ password_hash: string }>('select password_hash from users where username = $1', [input.username]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.password_hash, input.password)).toBe(true);
  });

  it.each([
    ['username', { username: 'ab' }],
    ['username', { username: 'has space' }],
    ['username', { username: 'x'.repeat(26) }],
    ['email', { email: 'not-an-email' }],
    ['email', { email: 'two@@example.com' }],
    ['password', { password: 'Sh0rt' }],
    ['password', { password: 'alllowercase1' }],
    ['password', { password: 'ALLUPPERCASE1' }],
    ['password', { password: 'NoDigitsHere' }],
    ['firstName', { firstName: 'x'.repeat(51) }],
    ['lastName', { lastName: '   ' }],
    ['secondLastName', { secondLastName: 'x'.repeat(51) }],
    ['birthDate', { birthDate: '2999-01-01' }],
  ])('refuses a bad %s with BAD_USER_INPUT naming it, writing nothing', async (field, overrides) => {
    const input = newUserInput(overrides);
    const res = await api.gql(CREATE_USER, { input });
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: `input.${field}` });
    expect(await api.db.sql('select 1 from users where username = $1', [input.username])).toEqual([]);
  });

  it('refuses an impossible date with BAD_USER_INPUT before any resolver runs', async () => {
    const res = await api.gql(CREATE_USER, { input: newUserInput({ birthDate: '2001-02-30' }) });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.each([['role: ADMIN'], ['active: false'], ['version: 9'], ['registeredAt: "2020-01-01T00:00:00Z"']])(
    'does not let input set %s',
    async (assignment) => {
      const res = await api.gql(
        `mutation { createUser(input: { username: "mass_assign", email: "mass@example.com", password: "Secret-Passw0rd",
          firstName: "M", lastName: "A", ${assignment} }) { user { id } } }`,
      );
      expect(res.status).toBe(400);
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(await api.db.sql(`select 1 from users where username = 'mass_assign'`)).toEqual([]);
    },
  );

  it('refuses a taken username and a taken email (ignoring case) with CONFLICT', async () => {
    const taken = await create();
    const sameName = await api.gql(CREATE_USER, { input: newUserInput({ username: taken.username }) });
    expect(sameName.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.username' });
    const sameEmail = await api.gql(CREATE_USER, { input: newUserInput({ email: taken.email.toUpperCase() }) });
    expect(sameEmail.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.email' });
  });

  it('never exposes the password hash', async () => {
    const res = await api.gql('{ users(first: 1) { edges { node { passwordHash } } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('updateUser, deactivateUser, reactivateUser', () => {
  it('changes only the given fields, clears optional ones with null and bumps the version', async () => {
    const user = await create({ secondLastName: 'Gómez' });
    const res = await api.gql(UPDATE_USER, { id: user.id, input: { firstName: 'Renamed', secondLastName: null, expectedVersion: 1 } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateUser.user).toMatchObject({ firstName: 'Renamed', lastName: 'User', secondLastName: null, version: 2 });
  });

  it('refuses null for a required field, an unknown id and a malformed id', async () => {
    const user = await create();
    const nulled = await api.gql(UPDATE_USER, { id: user.id, input: { firstName: null } });
    expect(nulled.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.firstName' });
    const unknown = await api.gql(UPDATE_USER, { id: '01900000-0000-7000-8000-000000000000', input: { firstName: 'X' } });
    expect(unknown.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
    const malformed = await api.gql(UPDATE_USER, { id: 'abc', input: { firstName: 'X' } });
    expect(malformed.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('deactivates and reactivates without deleting', async () => {
    const user = await create();
    const off = await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { active version } } }', { id: user.id });
    expect(off.data!.deactivateUser.user).toEqual({ active: false, version: 2 });
    const on = await api.gql('mutation ($id: ID!) { reactivateUser(id: $id) { user { active version } } }', { id: user.id });
    expect(on.data!.reactivateUser.user).toEqual({ active: true, version: 3 });
    expect(await api.db.sql('select active from users where id = $1', [user.id])).toEqual([{ active: true }]);
  });
});

describe('users', () => {
  it('pages oldest first with opaque cursors, a next-page flag and a total', async () => {
    const tag = `pg${Date.now() % 100000}`;
    for (let i = 0; i < 5; i++) await create({ username: `${tag}_${i}` });
    const page1 = await api.gql(USERS, { first: 2, search: tag });
    expect(page1.data!.users.totalCount).toBe(5);
    expect(page1.data!.users.edges.map((e: any) => e.node.username)).toEqual([`${tag}_0`, `${tag}_1`]);
    expect(page1.data!.users.pageInfo.hasNextPage).toBe(true);
    const page3 = await api.gql(USERS, { first: 2, search: tag, after: (await api.gql(USERS, { first: 4, search: tag })).data!.users.pageInfo.endCursor });
    expect(page3.data!.users.edges.map((e: any) => e.node.username)).toEqual([`${tag}_4`]);
    expect(page3.data!.users.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by active', async () => {
    const user = await create();
    await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { id } } }', { id: user.id });
    const inactive = await api.gql(USERS, { first: 100, active: false });
    expect(inactive.data!.users.edges.map((e: any) => e.node.username)).toContain(user.username);
    expect(inactive.data!.users.edges.every((e: any) => e.node.active === false)).toBe(true);
  });

  it('refuses more than 100 per page and a cursor it did not make', async () => {
    const tooMany = await api.gql(USERS, { first: 101 });
    expect(tooMany.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    const forged = await api.gql(USERS, { after: Buffer.from('["device","x"]').toString('base64url') });
    expect(forged.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    const wrongType = await api.gql(USERS, { after: Buffer.from('["user","zzz"]').toString('base64url') });
    expect(wrongType.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    const garbage = await api.gql(USERS, { after: '%%%' });
    expect(garbage.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
