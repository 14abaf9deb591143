import { buildSchema, execute, getIntrospectionQuery, parse, type IntrospectionQuery } from 'graphql';
import { loadTypeDefs } from '../src/graphql/server';
import { CREATE_DEVICE, USER } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ env: { DB_POOL_MAX: '2', DB_ACQUIRE_TIMEOUT_MS: '300' } });
});
afterAll(async () => api.close());

describe('the schema', () => {
  it('describes every type, field, argument, input field and enum value (GraphiQL docs are the reference)', async () => {
    const res = await api.gql<IntrospectionQuery>(getIntrospectionQuery());
    const missing: string[] = [];
    for (const type of res.data!.__schema.types) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if ('fields' in type) {
        for (const field of type.fields ?? []) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if ('inputFields' in type) for (const f of type.inputFields ?? []) if (!f.description) missing.push(`${type.name}.${f.name}`);
      if ('enumValues' in type) for (const v of type.enumValues ?? []) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('GraphiQL', () => {
  it('is served by this server from GET /graphql in a browser, with no third-party origin', async () => {
    const page = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) {
      expect(source).toMatch(/^\/graphiql\//);
      const asset = await fetch(`${api.url}${source}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript|css/);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });
});

describe('HTTP behaviour', () => {
  it("echoes the client's X-Request-Id, and makes one when it is missing or unusable", async () => {
    const ME = '{ me { id } }';
    expect((await api.gql(ME, {}, { 'x-request-id': 'gateway-7:42.a' })).headers.get('x-request-id')).toBe('gateway-7:42.a');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect((await api.gql(ME)).headers.get('x-request-id')).toMatch(uuid);
    expect((await api.gql(ME, {}, { 'x-request-id': 'has spaces <and> "quotes"' })).headers.get('x-request-id')).toMatch(uuid);
    expect((await api.gql(ME, {}, { 'x-request-id': 'x'.repeat(129) })).headers.get('x-request-id')).toMatch(uuid);
  });

  it('answers a query sent by GET (with a preflight header) and refuses one without, against CSRF', async () => {
    const url = `${api.url}/graphql?query=${encodeURIComponent('{ users(first: 1) { totalCount } }')}`;
    expect((await fetch(url, { headers: { 'apollo-require-preflight': 'true' } })).status).toBe(200);
    expect((await fetch(url)).status).toBe(400);
  });

  it('refuses a malformed body, an unknown field and a parse error with 400 and a code', async () => {
    const malformed = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    const unknown = await api.gql('{ nope }');
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const parse = await api.gql('{ users(');
    expect(parse.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it.each([
    ['an operation name the document does not have', 'query A { __typename }', 'B'],
    ['no operation name for a document of two operations', 'query A { __typename } query C { __typename }', undefined],
  ])('refuses %s with 400 and OPERATION_RESOLUTION_FAILURE, in the words graphql-js uses', async (_, query, operationName) => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.admin!.token}` },
      body: JSON.stringify({ query, operationName }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    expect(res.status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    // graphql-js's own executor on the API's schema, as the reference.
    const reference = await execute({ schema: buildSchema(loadTypeDefs().join('\n')), document: parse(query), operationName });
    expect(body.errors?.map((error) => error.message)).toEqual(reference.errors?.map((error) => error.message));
  });

  it.each([
    ['a value of the wrong type', 'query ($n: Int) { devices(first: $n) { totalCount } }', { n: 'ten' }],
    ['a missing required variable', 'query ($id: ID!) { device(id: $id) { id } }', {}],
    ['an unknown enum value', 'query ($g: Granularity!) { devices(first: 1) { edges { node { consumption(granularity: $g, periods: 1) { total } } } } }', { g: 'WEEK' }],
  ])('refuses %s in the variables with 400 and BAD_USER_INPUT, naming the variable', async (_, query, variables) => {
    const res = await api.gql(query, variables);
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/^Variable "\$(n|id|g)"/);
    expect(res.errors?.[0]).toHaveProperty('locations');
  });

  it('answers 503 with Retry-After and SERVICE_UNAVAILABLE when no connection can be had', async () => {
    // Hold both pooled connections, so the next query waits past the acquire timeout.
    const client = (api.db.orm.em.getConnection().getKnex() as any).client;
    const held = [await client.acquireConnection(), await client.acquireConnection()];
    try {
      const res = await api.gql('{ users(first: 1) { totalCount edges { node { id } } } }');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(res)).not.toMatch(/Knex|at .*\.js/);
    } finally {
      for (const connection of held) await client.releaseConnection(connection);
    }
    const after = await api.gql(USER, { id: '01900000-0000-7000-8000-000000000000' });
    expect(after.status).toBe(200);
  });

  it('answers 503 with Retry-After, not a raw 500, when an API key cannot be checked for want of a connection', async () => {
    const key = await api.gql('mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', {
      input: { name: 'outage', scopes: ['devices:read'], ownerId: api.admin!.id },
    });
    const secret = key.data!.createApiKey.secret as string;
    const client = (api.db.orm.em.getConnection().getKnex() as any).client;
    const held = [await client.acquireConnection(), await client.acquireConnection()];
    try {
      const res = await api.gql('{ me { id } }', {}, { authorization: `Bearer ${secret}` });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(res)).not.toMatch(/Knex|Timeout acquiring|at .*\.js/);
    } finally {
      for (const connection of held) await client.releaseConnection(connection);
    }
    expect((await api.gql('{ me { id } }', {}, { authorization: `Bearer ${secret}` })).status).toBe(200);
  });

  it('serves /metrics with the live fork count and the pool', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toMatch(/^aquamind_unit_of_work_live_forks 0$/m);
    expect(text).toMatch(/^aquamind_db_pool_max 2$/m);
  });

  it('counts the SQL statements sent and the most connections ever checked out at once', async () => {
    const before = await api.metric('aquamind_sql_statements_total');
    const res = await api.gql('{ users(first: 1) { totalCount edges { node { id } } } }');
    expect(res.errors).toBeUndefined();
    expect(await api.metric('aquamind_sql_statements_total')).toBe(before + 2); // the page, the count
    const peak = await api.metric('aquamind_db_pool_used_peak');
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(peak).toBeLessThanOrEqual(2); // this spec's pool maximum
  });
});

describe('limits for an API open to partners', () => {
  it('refuses an operation nested deeper than 12 fields, but not introspection', async () => {
    const twelve = '{ users(first: 1) { edges { node { devices(first: 1) { edges { node { owner { devices(first: 1) { edges { node { owner { username } } } } } } } } } } } }';
    const deep = twelve.replace('owner { username }', 'owner { devices(first: 1) { totalCount } }');
    const res = await api.gql(deep);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({ message: 'This operation nests 13 levels deep; the limit is 12', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const ok = await api.gql(twelve);
    expect(ok.errors).toBeUndefined();
    expect((await api.gql(getIntrospectionQuery())).errors).toBeUndefined();
  });

  it('takes the largest recordEvents, even pretty-printed, and refuses a body over 4 MiB with 413 and a code', async () => {
    const device = await api.gql(CREATE_DEVICE, { input: { name: 'big batch', ownerId: api.admin!.id } });
    const deviceId = device.data!.createDevice.device.id;
    // Every value at its longest: 8 digits and 2 decimals, a 10-character unit, an instant with an offset.
    const reading = { deviceId, consumption: '99999999.99', unit: 'LLLLLLLLLL', occurredAt: '2026-01-01T00:00:00.000+00:00' };
    const body = { query: 'mutation ($inputs: [RecordEventInput!]!) { recordEvents(inputs: $inputs) { count } }', variables: { inputs: Array.from({ length: 10_000 }, () => reading) } };
    const compact = JSON.stringify(body);
    const pretty = JSON.stringify(body, null, 2);
    expect(Buffer.byteLength(compact)).toBeLessThan(1.5e6);
    expect(Buffer.byteLength(pretty)).toBeLessThan(2.0e6);
    const send = (text: string) =>
      fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${api.admin!.token}` }, body: text });
    for (const text of [compact, pretty]) {
      const res = await send(text);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { recordEvents: { count: 10_000 } } });
    }
    const tooLarge = await send(`${compact.slice(0, -1)}, "padding": "${'x'.repeat(4 * 1024 * 1024)}"}`);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ errors: [{ message: 'A request body may be at most 4 MiB', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('refuses more than 30 aliases and more than 20 directives in a document, with 400', async () => {
    // Aliases of `__typename`: the limit counts every aliased field, and these need no database (this
    // spec's pool is 2 connections with a 300 ms wait, which 30 aliased lists could outwait on a busy machine).
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await api.gql(aliased(30))).errors).toBeUndefined();
    const tooMany = await api.gql(aliased(31));
    expect(tooMany.status).toBe(400);
    expect(tooMany.errors?.[0]).toMatchObject({ message: 'This document has 31 aliases; the limit is 30', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

    // One directive on each of n aliased fields would also hit the alias limit: n fields of their own names.
    const fields = ['totalCount', '__typename'];
    const directed = (n: number) =>
      `{ recommendations(first: 1) { ${Array.from({ length: n }, (_, i) => `${fields[i % 2]} @include(if: true)`).join(' ')} } }`;
    const twentyOne = await api.gql(directed(21));
    expect(twentyOne.status).toBe(400);
    expect(twentyOne.errors?.[0]?.message).toBe('This document has 21 directives; the limit is 20');
  });

  it('stops parsing a document of more than 5,000 tokens (large inputs go in variables)', async () => {
    const long = `{ recommendations(first: 1) { ${'totalCount '.repeat(5_000)} } }`;
    const res = await api.gql(long);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(res.errors?.[0]?.message).toMatch(/Document contains more th\w+ 5000 tokens/);
  });

  it('refuses, before running it, an operation that could cost more than 50,000 (lists × their sizes)', async () => {
    const before = await api.metric('aquamind_unit_of_work_flushed_total');
    const heavy = '{ devices(first: 100) { edges { node { consumption(granularity: DAY, periods: 1000) { start total unit } } } } }';
    const res = await api.gql(heavy);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', maxCost: 50_000 });
    expect(res.errors?.[0]?.message).toMatch(/could cost \d+/);
    // Variables count as what they say: the same query with a small page passes.
    const light = await api.gql(
      'query ($first: Int) { devices(first: $first) { edges { node { consumption(granularity: DAY, periods: 1000) { total } } } } }',
      { first: 5 },
    );
    expect(light.errors).toBeUndefined();
    // Aliases add up: three batches of readings in one operation are refused before any is validated or written.
    const inputs = Array.from({ length: 5_000 }, () => ({ deviceId: '01900000-0000-7000-8000-000000000000', consumption: '1', unit: 'L' }));
    const aliased = await api.gql(
      'mutation ($inputs: [RecordEventInput!]!) { a: recordEvents(inputs: $inputs) { count } b: recordEvents(inputs: $inputs) { count } c: recordEvents(inputs: $inputs) { count } }',
      { inputs },
    );
    expect(aliased.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(await api.metric('aquamind_unit_of_work_flushed_total')).toBe(before);
  });

  it('speaks of the page cap for any page over it, however large, not of the cost such a page would have', async () => {
    for (const args of ['first: 101', 'first: 1000000', 'last: 1000000']) {
      const res = await api.gql(`{ devices(${args}) { edges { node { events(first: 100) { edges { node { id } } } } } } }`);
      expect(res.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/must be from 0 to 100/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    }
    const nested = await api.gql('{ users(first: 1) { edges { node { devices(first: 5000) { totalCount } } } } }');
    expect(nested.errors?.[0]?.message).toMatch(/must be from 0 to 100/);
    // A backward page costs what a forward one does: 100 devices × 1,000 days is too much either way.
    const heavy = await api.gql('{ devices(last: 100) { edges { node { consumption(granularity: DAY, periods: 1000) { total } } } } }');
    expect(heavy.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', maxCost: 50_000 });
  });

  it('refuses a batch of more than 20 operations with 400, running none', async () => {
    const before = await api.metric('aquamind_unit_of_work_operations_total');
    const { status, body } = await api.batch(Array.from({ length: 21 }, () => ({ query: '{ users(first: 1) { totalCount } }' })));
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(await api.metric('aquamind_unit_of_work_operations_total')).toBe(before);
    expect((await api.batch(Array.from({ length: 20 }, () => ({ query: '{ users(first: 1) { totalCount } }' })))).status).toBe(200);
  });
});
