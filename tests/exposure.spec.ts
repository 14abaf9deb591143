import { getIntrospectionQuery } from 'graphql';
import { loadConfig } from '../src/config';
import { createTestApi, type TestApi } from './support/test-api';

describe('what the API shows of itself', () => {
  let closed: TestApi;
  let open: TestApi;
  beforeAll(async () => {
    closed = await createTestApi({ exposure: { introspection: false, graphiql: false, schemaHints: false } });
    open = await createTestApi();
  });
  afterAll(async () => {
    await closed.close();
    await open.close();
  });

  it('is closed by default in production, open elsewhere, and each switch is configurable', () => {
    const key = { AUTH_SIGNING_KEY: 'k'.repeat(32) };
    expect(loadConfig({ NODE_ENV: 'production', ...key }).exposure).toEqual({ introspection: false, graphiql: false, schemaHints: false });
    expect(loadConfig({}).exposure).toEqual({ introspection: true, graphiql: true, schemaHints: true });
    expect(loadConfig({ NODE_ENV: 'production', ...key, AQUAMIND_INTROSPECTION: 'true', AQUAMIND_GRAPHIQL: 'true' }).exposure).toEqual({
      introspection: true,
      graphiql: true,
      schemaHints: false,
    });
  });

  it('refuses introspection when it is off', async () => {
    const res = await closed.gql(getIntrospectionQuery());
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await open.gql(getIntrospectionQuery())).errors).toBeUndefined();
  });

  it('names no field of the schema in an error when schema hints are off ("Did you mean …")', async () => {
    const typo = '{ devicez(first: 1) { totalCount } }';
    const hinted = await open.gql(typo);
    expect(hinted.errors?.[0]?.message).toMatch(/Did you mean .*"devices"/);
    const plain = await closed.gql(typo);
    expect(plain.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(plain.errors?.[0]?.message).not.toMatch(/Did you mean|"devices"/);
  });

  it('serves no GraphiQL page or assets when GraphiQL is off', async () => {
    const page = await fetch(`${closed.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
    expect((await fetch(`${closed.url}/graphiql/graphiql.js`)).status).toBe(404);
    const openPage = await fetch(`${open.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await openPage.text()).toMatch(/graphiql/i);
  });

  it('refuses a mutation sent by GET with 405, preflight header or not', async () => {
    const url = `${open.url}/graphql?query=${encodeURIComponent('mutation { revokeApiKey(id: "01900000-0000-7000-8000-000000000000") { apiKey { id } } }')}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
  });
});
