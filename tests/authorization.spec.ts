import { CREATE_USER, newUserInput } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

// What a USER, and an API key, may not do that an ADMIN may (the tests' default caller is an ADMIN).
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { token } }';
const CREATE_KEY = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }';
const CREATE_TIP = `mutation { createRecommendation(input: {
  title: "Fix drips", description: "A dripping tap wastes litres a day.", imageUrl: "https://example.com/tap.png", icon: "water-drop" }) { recommendation { id } } }`;

/** A USER (made by the admin) and a token of theirs. */
async function newUser(): Promise<{ id: string; token: string }> {
  const input = newUserInput();
  const created = await api.gql(CREATE_USER, { input });
  const login = await api.gql(LOGIN, { input: { username: input.username, password: input.password } }, { authorization: '' });
  return { id: created.data!.createUser.user.id, token: login.data!.login.token };
}

function codeOf(res: { errors?: Array<{ extensions?: Record<string, unknown> }> }): unknown {
  return res.errors?.[0]?.extensions?.code;
}

describe('a USER', () => {
  it('may not create, deactivate or reactivate users, and nothing is written', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const input = newUserInput();
    const created = await api.gql(CREATE_USER, { input }, bearer(alice.token));
    expect(codeOf(created)).toBe('FORBIDDEN');
    expect(await api.db.sql('select count(*)::int as n from users where username = $1', [input.username])).toEqual([{ n: 0 }]);
    for (const mutation of ['deactivateUser', 'reactivateUser']) {
      const res = await api.gql(`mutation ($id: ID!) { ${mutation}(id: $id) { user { active } } }`, { id: bob.id }, bearer(alice.token));
      expect({ mutation, code: codeOf(res), data: res.data }).toEqual({ mutation, code: 'FORBIDDEN', data: null });
    }
    expect(await api.db.sql('select active, version from users where id = $1', [bob.id])).toEqual([{ active: true, version: 1 }]);
  });

  it("may change their own details, not another user's", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const update = 'mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Changed" }) { user { firstName } } }';
    expect((await api.gql(update, { id: alice.id }, bearer(alice.token))).data).toEqual({ updateUser: { user: { firstName: 'Changed' } } });
    const other = await api.gql(update, { id: bob.id }, bearer(alice.token));
    expect(codeOf(other)).toBe('FORBIDDEN');
    expect(await api.db.sql('select first_name from users where id = $1', [bob.id])).toEqual([{ first_name: 'Test' }]);
  });

  it('may not manage recommendations', async () => {
    const alice = await newUser();
    const res = await api.gql(CREATE_TIP, {}, bearer(alice.token));
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(await api.db.sql("select count(*)::int as n from recommendations where title = 'Fix drips'")).toEqual([{ n: 0 }]);
    const tip = await api.gql(CREATE_TIP);
    const id = tip.data!.createRecommendation.recommendation.id;
    for (const mutation of [
      `updateRecommendation(id: "${id}", input: { title: "Mine now" }) { recommendation { id } }`,
      `deactivateRecommendation(id: "${id}") { recommendation { id } }`,
      `reactivateRecommendation(id: "${id}") { recommendation { id } }`,
    ]) {
      expect(codeOf(await api.gql(`mutation { ${mutation} }`, {}, bearer(alice.token)))).toBe('FORBIDDEN');
    }
  });

  it("makes, lists and revokes only their own API keys; another's is FORBIDDEN", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const mine = await api.gql(CREATE_KEY, { input: { name: 'mine', scopes: ['devices:read'], ownerId: alice.id } }, bearer(alice.token));
    expect(mine.errors).toBeUndefined();
    const forBob = await api.gql(CREATE_KEY, { input: { name: 'for bob', scopes: ['devices:read'], ownerId: bob.id } }, bearer(alice.token));
    expect(codeOf(forBob)).toBe('FORBIDDEN');
    const bobs = await api.gql(CREATE_KEY, { input: { name: 'bobs', scopes: ['devices:read'], ownerId: bob.id } });

    const listed = await api.gql('{ apiKeys { id owner { id } } }', {}, bearer(alice.token));
    expect(listed.data!.apiKeys).toEqual([{ id: mine.data!.createApiKey.apiKey.id, owner: { id: alice.id } }]);
    const revoke = 'mutation ($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }';
    const other = await api.gql(revoke, { id: bobs.data!.createApiKey.apiKey.id }, bearer(alice.token));
    expect(codeOf(other)).toBe('FORBIDDEN');
    expect(await api.db.sql('select revoked_at from api_keys where id = $1', [bobs.data!.createApiKey.apiKey.id])).toEqual([{ revoked_at: null }]);
    expect((await api.gql(revoke, { id: mine.data!.createApiKey.apiKey.id }, bearer(alice.token))).errors).toBeUndefined();
    // The admin sees every key.
    const all = await api.gql('{ apiKeys { id } }');
    expect(all.data!.apiKeys.map((key: { id: string }) => key.id)).toEqual(
      expect.arrayContaining([mine.data!.createApiKey.apiKey.id, bobs.data!.createApiKey.apiKey.id]),
    );
  });
});

describe('an API key', () => {
  it("administers nothing, even an ADMIN's key", async () => {
    const key = await api.gql(CREATE_KEY, { input: { name: 'admin key', scopes: ['devices:read', 'events:write'], ownerId: api.admin!.id } });
    const secret = bearer(key.data!.createApiKey.secret);
    expect(codeOf(await api.gql(CREATE_USER, { input: newUserInput() }, secret))).toBe('FORBIDDEN');
    expect(codeOf(await api.gql(CREATE_TIP, {}, secret))).toBe('FORBIDDEN');
    expect(codeOf(await api.gql(CREATE_KEY, { input: { name: 'more', scopes: ['devices:read'], ownerId: api.admin!.id } }, secret))).toBe('FORBIDDEN');
    expect(codeOf(await api.gql('{ apiKeys { id } }', {}, secret))).toBe('FORBIDDEN');
  });
});

describe('a deactivated user', () => {
  it('is refused as UNAUTHENTICATED by every check that needs to know who they are', async () => {
    const alice = await newUser();
    await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { active } } }', { id: alice.id });
    const res = await api.gql('mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Late" }) { user { id } } }', { id: alice.id }, bearer(alice.token));
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });
});

describe('reads of a deactivated user', () => {
  it('show nothing of theirs, at once, though their token has not expired', async () => {
    const alice = await newUser();
    const device = await api.gql('mutation ($id: ID!) { createDevice(input: { name: "Alice valve", ownerId: $id }) { device { id } } }', { id: alice.id });
    const deviceId = device.data!.createDevice.device.id;
    const query = 'query ($id: ID!) { device(id: $id) { id } devices { totalCount } users { totalCount } }';
    expect((await api.gql(query, { id: deviceId }, bearer(alice.token))).data).toEqual({ device: { id: deviceId }, devices: { totalCount: 1 }, users: { totalCount: 1 } });
    await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { active } } }', { id: alice.id });
    expect((await api.gql(query, { id: deviceId }, bearer(alice.token))).data).toEqual({ device: null, devices: { totalCount: 0 }, users: { totalCount: 0 } });
  });
});

describe('recommendations', () => {
  it('a USER sees active ones only; an ADMIN sees every one', async () => {
    const alice = await newUser();
    const tip = await api.gql(CREATE_TIP.replace('Fix drips', 'Shorter showers'));
    const id = tip.data!.createRecommendation.recommendation.id;
    await api.gql('mutation ($id: ID!) { deactivateRecommendation(id: $id) { recommendation { id } } }', { id });
    const query = 'query ($id: ID!) { recommendation(id: $id) { id } recommendations(active: false) { edges { node { id } } } }';
    const asUser = await api.gql(query, { id }, bearer(alice.token));
    expect(asUser.data).toEqual({ recommendation: null, recommendations: { edges: [] } });
    const asAdmin = await api.gql(query, { id });
    expect(asAdmin.data!.recommendation).toEqual({ id });
    expect(asAdmin.data!.recommendations.edges).toContainEqual({ node: { id } });
  });
});
