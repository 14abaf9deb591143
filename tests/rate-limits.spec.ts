import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { connectOrm } from '../src/db/orm';
import { buildApp } from '../src/http/app';
import { clientNetwork } from '../src/auth/rate-limits';
import { CREATE_USER, newUserInput } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

// Budgets of query cost points per identity, shared by every instance through PostgreSQL, and the
// sign-in limits. A day-long window, so that no test crosses into a fresh budget.
const SYNC_MS = 50;
const LIMITS = {
  RATE_LIMIT_POINTS: '100',
  RATE_LIMIT_ANONYMOUS_POINTS: '30',
  RATE_LIMIT_WINDOW_SECONDS: '86400',
  RATE_LIMIT_SYNC_MS: String(SYNC_MS),
};
/** Costs 2: the field and its one subfield. */
const ME = '{ me { id } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A new USER and an access token of theirs (issued directly: no sign-in attempt is spent). */
async function newUser(api: TestApi, input = newUserInput()): Promise<{ id: string; authorization: string }> {
  const created = await api.gql(CREATE_USER, { input });
  const id = created.data!.createUser.user.id as string;
  return { id, authorization: `Bearer ${(await api.tokens.issue(id)).token}` };
}

function limitHeaders(headers: Headers): { limit: number; remaining: number; reset: number } {
  return {
    limit: Number(headers.get('x-ratelimit-limit')),
    remaining: Number(headers.get('x-ratelimit-remaining')),
    reset: Number(headers.get('x-ratelimit-reset')),
  };
}

describe('the rate limit of each identity', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi({ env: LIMITS });
  });
  afterAll(async () => api.close());

  it("is on every response: X-RateLimit-Limit, -Remaining and -Reset, falling by each operation's cost", async () => {
    const alice = await newUser(api);
    const first = await api.gql(ME, {}, { authorization: alice.authorization });
    const endOfDay = Math.ceil((Math.floor(Date.now() / 86_400_000) + 1) * 86_400);
    expect(limitHeaders(first.headers)).toEqual({ limit: 100, remaining: 98, reset: endOfDay });
    const second = await api.gql(ME, {}, { authorization: alice.authorization });
    expect(limitHeaders(second.headers).remaining).toBe(96);
    // An operation that fails validation runs nothing, and costs nothing; its response says so too.
    const invalid = await api.gql('{ me { nope } }', {}, { authorization: alice.authorization });
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(limitHeaders(invalid.headers).remaining).toBe(96);
    // Credentials that cannot be accepted: 401, and the headers of the address's anonymous budget.
    const rejected = await api.gql(ME, {}, { authorization: 'Bearer not-a-token' });
    expect(rejected.status).toBe(401);
    expect(limitHeaders(rejected.headers).limit).toBe(30);
    // The counters' statements are counted apart from the operations'.
    await sleep(4 * SYNC_MS);
    expect(await api.metric('aquamind_rate_limit_statements_total')).toBeGreaterThan(0);
  });

  it('refuses an operation that costs more than is left with RATE_LIMITED and 429, before it runs', async () => {
    const alice = await newUser(api);
    // 1 + 40 × (edges 1 + node 1 + id 1) = 121 points, with 100 left.
    const big = await api.gql('{ devices(first: 40) { edges { node { id } } } }', {}, { authorization: alice.authorization });
    expect(big.status).toBe(429);
    expect(big.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(big.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(big.data ?? null).toBeNull();
    expect(limitHeaders(big.headers).remaining).toBe(100);

    for (let spent = 0; spent < 98; spent += 2) await api.gql(ME, {}, { authorization: alice.authorization });
    const rename = `mutation { updateUser(id: "${alice.id}", input: { firstName: "Late" }) { user { firstName } } }`;
    const refused = await api.gql(rename, {}, { authorization: alice.authorization });
    expect({ status: refused.status, code: refused.errors?.[0]?.extensions?.code, data: refused.data ?? null }).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      data: null,
    });
    expect(await api.db.sql('select first_name from users where id = $1', [alice.id])).toEqual([{ first_name: 'Test' }]);
    expect((await api.gql(ME, {}, { authorization: alice.authorization })).errors).toBeUndefined();
    // Nothing left: refused before the document is even parsed.
    const empty = await api.gql('{ this is not graphql', {}, { authorization: alice.authorization });
    expect({ status: empty.status, code: empty.errors?.[0]?.extensions?.code, remaining: limitHeaders(empty.headers).remaining }).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      remaining: 0,
    });
    // Another identity's budget is its own.
    const bob = await newUser(api);
    expect((await api.gql(ME, {}, { authorization: bob.authorization })).status).toBe(200);
  });

  it("counts an anonymous caller against its address's budget", async () => {
    const tips = '{ recommendations(first: 1) { totalCount } }';
    const first = await api.gql(tips, {}, { authorization: '' });
    // 1 + 1 × totalCount 1 = 2 points.
    expect(limitHeaders(first.headers)).toMatchObject({ limit: 30, remaining: 28 });
  });
});

describe('the client address a budget belongs to', () => {
  it('is an IPv4 address itself, and the /64 network of an IPv6 one however it is written', () => {
    expect(['127.0.0.1', '::ffff:10.0.0.7'].map(clientNetwork)).toEqual(['127.0.0.1', '10.0.0.7']);
    expect(['2001:db8:85a3:0:1:2:3:4', '2001:db8:85a3::1', '2001:0db8:85a3:0000:dead::beef'].map(clientNetwork)).toEqual(
      Array(3).fill('2001:db8:85a3:0::/64'),
    );
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
  });
});

describe('two API instances on one database', () => {
  it('share one budget', async () => {
    const a = await createTestApi({ env: LIMITS });
    // The second instance: its own ORM and pool, its own counters, the same database and signing key.
    const orm = await connectOrm(a.db.config, a.db.url);
    const b = await buildApp({ orm, logger: pino({ level: 'silent' }), tokens: a.tokens, settings: a.db.config });
    await b.listen({ host: '127.0.0.1', port: 0 });
    const onB = (authorization: string) =>
      fetch(`http://127.0.0.1:${(b.server.address() as AddressInfo).port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: ME }),
      });
    try {
      const alice = await newUser(a);
      for (let i = 0; i < 30; i++) expect((await a.gql(ME, {}, { authorization: alice.authorization })).status).toBe(200);
      await sleep(4 * SYNC_MS);
      // B reads the 60 points A spent: 40 are left, 20 operations.
      let acceptedOnB = 0;
      for (let response = await onB(alice.authorization); response.status === 200; response = await onB(alice.authorization)) {
        acceptedOnB++;
        if (acceptedOnB > 50) break;
      }
      expect(acceptedOnB).toBe(20);
      await sleep(4 * SYNC_MS);
      // And A learns what B spent.
      const onA = await a.gql(ME, {}, { authorization: alice.authorization });
      expect({ status: onA.status, code: onA.errors?.[0]?.extensions?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
      expect(await a.db.sql('select points::int from rate_limit_counters where identity = $1', [`user:${alice.id}`])).toEqual([{ points: 100 }]);
    } finally {
      await b.close();
      await orm.close();
      await a.close();
    }
  });
});

describe('sign-in limits', () => {
  const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { token } }';

  it('after 3 failures for a username, its next attempt is RATE_LIMITED, even with the right password; other usernames are not', async () => {
    const api = await createTestApi({ env: { LOGIN_FAILURES_PER_USERNAME: '3', LOGIN_ATTEMPTS_PER_IP: '100' } });
    try {
      const alice = newUserInput();
      const bob = newUserInput();
      await newUser(api, alice);
      await newUser(api, bob);
      const attempt = (username: string, password: string) => api.gql(LOGIN, { input: { username, password } }, { authorization: '' });
      for (let i = 0; i < 3; i++) expect((await attempt(alice.username, 'wrong-password')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const locked = await attempt(alice.username, alice.password);
      expect({ status: locked.status, code: locked.errors?.[0]?.extensions?.code, data: locked.data ?? null }).toEqual({
        status: 429,
        code: 'RATE_LIMITED',
        data: null,
      });
      // Letter case does not make a new username.
      expect((await attempt(alice.username.toUpperCase(), alice.password)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect((await attempt(bob.username, bob.password)).data?.login.token).toEqual(expect.any(String));
    } finally {
      await api.close();
    }
  });

  it('counts attempts sent at once before their passwords are checked: no more than the limit get through', async () => {
    const api = await createTestApi({ env: { LOGIN_FAILURES_PER_USERNAME: '3', LOGIN_ATTEMPTS_PER_IP: '100' } });
    try {
      const operations = Array.from({ length: 8 }, () => ({ query: LOGIN, variables: { input: { username: 'target_user', password: 'guess' } } }));
      const { body } = await api.batch(operations);
      const codes = (body as Array<{ errors: Array<{ extensions: { code: string } }> }>).map((result) => result.errors[0]!.extensions.code).sort();
      expect(codes).toEqual([...Array(5).fill('RATE_LIMITED'), ...Array(3).fill('UNAUTHENTICATED')]);
    } finally {
      await api.close();
    }
  });

  it('an address gets 10 attempts, also when they come in one batched request', async () => {
    const api = await createTestApi({ env: { LOGIN_FAILURES_PER_USERNAME: '100', LOGIN_ATTEMPTS_PER_IP: '10' } });
    try {
      const operations = Array.from({ length: 12 }, (_, i) => ({ query: LOGIN, variables: { input: { username: `nobody_${i}`, password: 'guess' } } }));
      const { body } = await api.batch(operations);
      const codes = (body as Array<{ errors: Array<{ extensions: { code: string } }> }>).map((result) => result.errors[0]!.extensions.code).sort();
      expect(codes).toEqual([...Array(10).fill('UNAUTHENTICATED'), ...Array(2).fill('RATE_LIMITED')].sort());
      const next = await api.gql(LOGIN, { input: { username: 'someone_else', password: 'guess' } }, { authorization: '' });
      expect({ status: next.status, code: next.errors?.[0]?.extensions?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    } finally {
      await api.close();
    }
  });
});
