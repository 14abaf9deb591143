import { CREATE_DEVICE, CREATE_USER, newUserInput } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

// `ownerId` may be left out of createDevice and createApiKey: the caller owns what they make. An ADMIN
// may still name another owner; anyone else naming another is FORBIDDEN, as before.
let api: TestApi;
let user: { id: string; headers: Record<string, string> };
beforeAll(async () => {
  api = await createTestApi();
  const input = newUserInput();
  const created = await api.gql(CREATE_USER, { input });
  const login = await api.gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', { input: { username: input.username, password: input.password } });
  user = { id: created.data!.createUser.user.id, headers: { authorization: `Bearer ${login.data!.login.token}` } };
});
afterAll(async () => api.close());

const CREATE_KEY = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id owner { id } } } }';

describe('createDevice without ownerId', () => {
  it("makes the device the caller's, a USER's and an ADMIN's alike", async () => {
    const mine = await api.gql(CREATE_DEVICE, { input: { name: 'My own valve' } }, user.headers);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.createDevice.device.owner.id).toBe(user.id);
    const admins = await api.gql(CREATE_DEVICE, { input: { name: "The admin's valve" } });
    expect(admins.data!.createDevice.device.owner.id).toBe(api.admin!.id);
  });

  it('still lets an ADMIN name another owner, and refuses it to anyone else', async () => {
    const forUser = await api.gql(CREATE_DEVICE, { input: { name: 'Given valve', ownerId: user.id } });
    expect(forUser.data!.createDevice.device.owner.id).toBe(user.id);
    const forAdmin = await api.gql(CREATE_DEVICE, { input: { name: 'Taken valve', ownerId: api.admin!.id } }, user.headers);
    expect(forAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is UNAUTHENTICATED without a caller, and writes nothing', async () => {
    const before = await api.db.sql<{ count: string }>('select count(*) from devices');
    const res = await api.gql(CREATE_DEVICE, { input: { name: 'Nobody’s valve' } }, { authorization: '' });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await api.db.sql<{ count: string }>('select count(*) from devices')).toEqual(before);
  });
});

describe('createApiKey without ownerId', () => {
  it("makes the key the caller's, and the key acts for them", async () => {
    const res = await api.gql(CREATE_KEY, { input: { name: 'My gateway', scopes: ['devices:read'] } }, user.headers);
    expect(res.errors).toBeUndefined();
    expect(res.data!.createApiKey.apiKey.owner.id).toBe(user.id);
    const me = await api.gql('{ me { id } }', {}, { authorization: `Bearer ${res.data!.createApiKey.secret}` });
    expect(me.data).toEqual({ me: { id: user.id } });
  });

  it('still lets an ADMIN make a key for another user, and refuses it to anyone else', async () => {
    const forUser = await api.gql(CREATE_KEY, { input: { name: 'Issued', scopes: ['events:write'], ownerId: user.id } });
    expect(forUser.data!.createApiKey.apiKey.owner.id).toBe(user.id);
    const forAdmin = await api.gql(CREATE_KEY, { input: { name: 'Stolen', scopes: ['events:write'], ownerId: api.admin!.id } }, user.headers);
    expect(forAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
