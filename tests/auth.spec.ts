import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { signingKey } from '../src/auth/signing-key';
import { InvalidTokenError, Tokens } from '../src/auth/tokens';
import { ConfigError, loadConfig } from '../src/config';
import { CREATE_USER, newUserInput } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { token expiresAt user { id username } } }';
const ME = '{ me { id username } }';

async function newUser(): Promise<{ id: string; username: string; password: string }> {
  const input = newUserInput();
  const res = await api.gql(CREATE_USER, { input });
  expect(res.errors).toBeUndefined();
  return { id: res.data!.createUser.user.id, username: input.username, password: input.password };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('login', () => {
  it('gives a signed-in user a token that `me` accepts, valid for the configured lifetime', async () => {
    const user = await newUser();
    const before = Date.now();
    const res = await api.gql(LOGIN, { input: { username: user.username, password: user.password } });
    expect(res.errors).toBeUndefined();
    const { token, expiresAt, user: payloadUser } = res.data!.login;
    expect(payloadUser).toEqual({ id: user.id, username: user.username });
    // The test API's tokens live one hour.
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(3_590_000);
    expect(lifetime).toBeLessThanOrEqual(3_601_000);

    const me = await api.gql(ME, {}, bearer(token));
    expect(me.errors).toBeUndefined();
    expect(me.data).toEqual({ me: { id: user.id, username: user.username } });
  });

  it('answers a wrong password, an unknown username and a deactivated user alike, in about the same time', async () => {
    const user = await newUser();
    const deactivated = await newUser();
    expect((await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { active } } }', { id: deactivated.id })).errors).toBeUndefined();
    const attempts = {
      wrongPassword: { username: user.username, password: 'Not-the-passw0rd' },
      unknownUser: { username: 'nobody_here_at_all', password: user.password },
      deactivated: { username: deactivated.username, password: deactivated.password },
    };
    const times: Record<string, number[]> = { wrongPassword: [], unknownUser: [], deactivated: [] };
    for (let round = 0; round < 5; round++) {
      for (const [what, input] of Object.entries(attempts)) {
        let res: Awaited<ReturnType<typeof api.gql>> | undefined;
        times[what]!.push(await timed(async () => (res = await api.gql(LOGIN, { input }))));
        expect(res!.status).toBe(200);
        expect(res!.data).toBeNull();
        expect(res!.errors).toEqual([
          expect.objectContaining({ message: 'Wrong username or password', extensions: { code: 'UNAUTHENTICATED' } }),
        ]);
      }
    }
    // Each does one argon2 verification: an unknown username is not answered sooner than a wrong password.
    const ratio = median(times.unknownUser!) / median(times.wrongPassword!);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it("stops accepting a user's tokens once they are deactivated", async () => {
    const user = await newUser();
    const { token } = (await api.gql(LOGIN, { input: { username: user.username, password: user.password } })).data!.login;
    expect((await api.gql(ME, {}, bearer(token))).errors).toBeUndefined();
    await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { active } } }', { id: user.id });
    const me = await api.gql(ME, {}, bearer(token));
    expect(me.data).toBeNull();
    expect(me.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a password longer than 1,024 characters before hashing it', async () => {
    const res = await api.gql(LOGIN, { input: { username: 'someone', password: 'x'.repeat(1025) } });
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.password' });
  });
});

describe('without credentials', () => {
  const anonymous = { authorization: '' };

  it('answers only login, recommendations, randomRecommendations and introspection', async () => {
    for (const query of [
      '{ recommendations(first: 1) { totalCount } }',
      '{ randomRecommendations(count: 1) { id } }',
      '{ __schema { queryType { name } } }',
    ]) {
      const res = await api.gql(query, {}, anonymous);
      expect({ query, errors: res.errors }).toEqual({ query, errors: undefined });
    }
    for (const query of [
      '{ users(first: 1) { totalCount } }',
      '{ user(id: "01900000-0000-7000-8000-000000000000") { id } }',
      '{ devices(first: 1) { totalCount } }',
      '{ device(id: "01900000-0000-7000-8000-000000000000") { id } }',
      '{ events(first: 1) { totalCount } }',
      '{ event(id: "01900000-0000-7000-8000-000000000000") { id } }',
      '{ recommendation(id: "01900000-0000-7000-8000-000000000000") { id } }',
      '{ apiKeys { id } }',
      '{ me { id } }',
    ]) {
      const res = await api.gql(query, {}, anonymous);
      expect({ query, status: res.status, code: res.errors?.[0]?.extensions?.code }).toEqual({ query, status: 200, code: 'UNAUTHENTICATED' });
    }
  });

  it('writes nothing: a mutation is refused before it runs', async () => {
    const input = newUserInput();
    const res = await api.gql(CREATE_USER, { input }, anonymous);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await api.db.sql('select count(*)::int as n from users where username = $1', [input.username])).toEqual([{ n: 0 }]);
  });

  it('lets a signed-in user and an API key through', async () => {
    const user = await newUser();
    const token = (await api.gql(LOGIN, { input: { username: user.username, password: user.password } }, anonymous)).data!.login.token;
    expect((await api.gql('{ devices(first: 1) { totalCount } }', {}, bearer(token))).errors).toBeUndefined();
    const key = await api.gql('mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', {
      input: { name: 'gate', scopes: ['devices:read'], ownerId: user.id },
    });
    expect((await api.gql('{ devices(first: 1) { totalCount } }', {}, bearer(key.data!.createApiKey.secret))).errors).toBeUndefined();
  });
});

describe('credentials', () => {
  it('answers `me` without credentials with UNAUTHENTICATED and HTTP 200', async () => {
    const res = await api.gql(ME, {}, { authorization: '' });
    expect(res.status).toBe(200);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a request with credentials it cannot accept, as a whole, with HTTP 401', async () => {
    const user = await newUser();
    const key = new TextEncoder().encode('x'.repeat(32));
    const now = Math.floor(Date.now() / 1000);
    const claims = (overrides: { iss?: string; aud?: string; exp?: number }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuedAt(now - 10)
        .setIssuer(overrides.iss ?? 'aquamind-ephemeral')
        .setAudience(overrides.aud ?? 'aquamind')
        .setExpirationTime(overrides.exp ?? now + 600);
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: user.id, iss: 'aquamind-ephemeral', aud: 'aquamind', iat: now, exp: now + 600 }),
    ).toString('base64url')}.`;
    const elsewhere = new Tokens({ key: new Uint8Array(32), issuer: 'x', audience: 'y', ttlSeconds: 60 });
    const headers: Record<string, Record<string, string>> = {
      'another scheme': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      garbage: bearer('not-a-token'),
      'a token signed with another key': bearer(await claims({}).sign(key)),
      'an unsigned token (alg none)': bearer(unsigned),
      'an expired token': bearer((await api.tokens.issue(user.id, new Date(Date.now() - 2 * 60 * 60 * 1000))).token),
      'a token of another service': bearer((await elsewhere.issue(user.id)).token),
    };
    for (const [what, header] of Object.entries(headers)) {
      const res = await api.gql(ME, {}, header);
      expect({ what, status: res.status, code: res.errors?.[0]?.extensions?.code, data: res.data }).toEqual({
        what,
        status: 401,
        code: 'UNAUTHENTICATED',
        data: undefined,
      });
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    // The same request with a good token is answered.
    const good = await api.gql(ME, {}, bearer((await api.tokens.issue(user.id)).token));
    expect(good.status).toBe(200);
  });
});

describe('tokens', () => {
  const key = new TextEncoder().encode('k'.repeat(32));
  const settings = { key, issuer: 'aquamind-api', audience: 'aquamind', ttlSeconds: 600 };
  const ours = new Tokens(settings);

  it('accept their own, and refuse one of another issuer or audience even under the same key', async () => {
    await expect(ours.verify((await ours.issue('u1')).token)).resolves.toEqual({ userId: 'u1' });
    for (const other of [new Tokens({ ...settings, issuer: 'someone-else' }), new Tokens({ ...settings, audience: 'another-app' })]) {
      await expect(ours.verify((await other.issue('u1')).token)).rejects.toThrow(InvalidTokenError);
    }
  });

  it('remember a verified token only until it expires', async () => {
    const { token, expiresAt } = await ours.issue('u2');
    await expect(ours.verify(token)).resolves.toEqual({ userId: 'u2' });
    await expect(ours.verify(token)).resolves.toEqual({ userId: 'u2' });
    await expect(ours.verify(token, expiresAt.getTime() + 1_000)).rejects.toThrow(InvalidTokenError);
  });

  it('refuse one signed with another HMAC algorithm under the same key (the algorithm is pinned)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('u1')
      .setIssuer('aquamind-api')
      .setAudience('aquamind')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode('k'.repeat(64)));
    await expect(new Tokens({ ...settings, key: new TextEncoder().encode('k'.repeat(64)) }).verify(hs512)).rejects.toThrow(InvalidTokenError);
  });
});

describe('the signing key', () => {
  it('is required in production, and at least 32 bytes long wherever it is set', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_SIGNING_KEY is required in production/);
    expect(() => loadConfig({ AUTH_SIGNING_KEY: 'too-short' })).toThrow(/AUTH_SIGNING_KEY must be at least 32 bytes/);
    const config = loadConfig({ NODE_ENV: 'production', AUTH_SIGNING_KEY: 'k'.repeat(32) });
    expect(config.auth).toEqual({ signingKey: 'k'.repeat(32), tokenTtlSeconds: 8 * 60 * 60, issuer: 'aquamind-api', audience: 'aquamind' });
  });

  it('is made once outside production and kept in the data folder, readable by its owner only', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aquamind-key-'));
    try {
      const config = loadConfig({ AQUAMIND_DATA_DIR: dataDir });
      const first = await signingKey(config);
      const second = await signingKey(config);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
      const file = path.join(dataDir, 'auth-signing-key');
      expect((await readFile(file, 'utf8')).trim()).toBe(Buffer.from(first).toString('utf8'));
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
