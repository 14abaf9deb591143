import { CREATE_USER, newUserInput } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name prefix scopes owner { id } createdAt lastUsedAt revokedAt } }
}`;
const ME = '{ me { id } }';
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

async function newOwner(): Promise<string> {
  const res = await api.gql(CREATE_USER, { input: newUserInput() });
  return res.data!.createUser.user.id;
}

async function newKey(ownerId: string, scopes = ['devices:read', 'events:read']) {
  const res = await api.gql(CREATE_KEY, { input: { name: 'Partner gateway', scopes, ownerId } });
  expect(res.errors).toBeUndefined();
  return res.data!.createApiKey as { secret: string; apiKey: Record<string, any> };
}

describe('API keys', () => {
  it('show their secret once, keep only its hash, and act for their owner', async () => {
    const ownerId = await newOwner();
    const { secret, apiKey } = await newKey(ownerId);
    expect(secret).toMatch(/^amk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'Partner gateway', scopes: ['devices:read', 'events:read'], owner: { id: ownerId }, lastUsedAt: null, revokedAt: null });
    expect(secret.startsWith(`amk_${apiKey.prefix}_`)).toBe(true);

    // The random part (after `amk_<prefix>_`; it may itself hold `_`) is nowhere but in this answer.
    const random = secret.slice(`amk_${apiKey.prefix}_`.length);
    const [row] = await api.db.sql<{ secret_hash: string }>('select secret_hash from api_keys where id = $1', [apiKey.id]);
    expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.secret_hash).not.toContain(random);
    const listed = await api.gql('{ apiKeys { id prefix scopes lastUsedAt } }');
    expect(JSON.stringify(listed)).not.toContain(random);
    expect(listed.data!.apiKeys).toContainEqual({ id: apiKey.id, prefix: apiKey.prefix, scopes: apiKey.scopes, lastUsedAt: null });

    const me = await api.gql(ME, {}, bearer(secret));
    expect(me.errors).toBeUndefined();
    expect(me.data).toEqual({ me: { id: ownerId } });
    const used = await api.gql('{ apiKeys { id lastUsedAt } }');
    const lastUsedAt = used.data!.apiKeys.find((key: { id: string }) => key.id === apiKey.id).lastUsedAt;
    expect(Date.now() - Date.parse(lastUsedAt)).toBeLessThan(60_000);
  });

  it('stop working when revoked, and a wrong secret with a real prefix never works', async () => {
    const ownerId = await newOwner();
    const { secret, apiKey } = await newKey(ownerId);
    const forged = `amk_${apiKey.prefix}_${'A'.repeat(43)}`;
    const wrong = await api.gql(ME, {}, bearer(forged));
    expect(wrong.status).toBe(401);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const revoked = await api.gql('mutation ($id: ID!) { revokeApiKey(id: $id) { apiKey { id revokedAt } } }', { id: apiKey.id });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeApiKey.apiKey.revokedAt).not.toBeNull();
    const after = await api.gql(ME, {}, bearer(secret));
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("stop working while their owner is deactivated", async () => {
    const ownerId = await newOwner();
    const { secret } = await newKey(ownerId);
    expect((await api.gql(ME, {}, bearer(secret))).status).toBe(200);
    await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { active } } }', { id: ownerId });
    const res = await api.gql(ME, {}, bearer(secret));
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuse unknown scopes, no scopes and unknown owners, naming the field', async () => {
    const ownerId = await newOwner();
    const create = (input: Record<string, unknown>) => api.gql(CREATE_KEY, { input: { name: 'k', scopes: ['devices:read'], ownerId, ...input } });
    expect((await create({ scopes: ['devices:read', 'devices:write'] })).errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.scopes[1]',
    });
    expect((await create({ scopes: [] })).errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.scopes' });
    expect((await create({ ownerId: '01900000-0000-7000-8000-000000000000' })).errors?.[0]?.extensions).toEqual({
      code: 'NOT_FOUND',
      field: 'input.ownerId',
    });
    expect(await api.db.sql('select count(*)::int as n from api_keys where owner_id = $1', [ownerId])).toEqual([{ n: 0 }]);
  });
});
