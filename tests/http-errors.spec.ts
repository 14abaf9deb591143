import { createTestApi, type TestApi } from './support/test-api';

// Every error a client can get is in GraphQL's shape, `errors[].message` and `errors[].extensions.code`,
// with the HTTP status that says what went wrong: also the errors raised before a request reaches GraphQL.
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

async function send(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${api.url}${path}`, { redirect: 'manual', ...init });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** The one error of a response, checked to be in GraphQL's shape and nothing else. */
function onlyError(body: any): { message: string; code: string } {
  expect(Object.keys(body)).toEqual(['errors']);
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors;
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(10);
  return { message: error.message, code: error.extensions.code };
}

describe('errors outside GraphQL', () => {
  it('a POST without Content-Type: 415 UNSUPPORTED_MEDIA_TYPE, saying to send JSON', async () => {
    const res = await send('/graphql', { method: 'POST', body: new Uint8Array(Buffer.from('{"query":"{ __typename }"}')) });
    expect(res.status).toBe(415);
    const error = onlyError(res.body);
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toContain('Content-Type: application/json');
  });

  it('a form post: 415, naming the type that was sent', async () => {
    const res = await send('/graphql', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query={__typename}' });
    expect(res.status).toBe(415);
    expect(onlyError(res.body)).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('application/x-www-form-urlencoded') });
  });

  it('a body that is not JSON: 400 BAD_REQUEST', async () => {
    const res = await send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(onlyError(res.body)).toEqual({ code: 'BAD_REQUEST', message: expect.stringMatching(/JSON/) });
  });

  it('an empty JSON body: 400 BAD_REQUEST, saying what to send', async () => {
    const res = await send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(onlyError(res.body)).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('query') });
  });

  it('a body over the limit: 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query": "${'x'.repeat(4 * 1024 * 1024 + 10)}"}` });
    expect(res.status).toBe(413);
    expect(onlyError(res.body)).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'A request body may be at most 4 MiB' });
  });

  it('an unknown route or method: 404 NOT_FOUND, pointing at /graphql', async () => {
    for (const [path, method] of [['/nope?secret=1', 'GET'], ['/graphql', 'PUT'], ['/graphiql/missing.js', 'GET'], ['/', 'GET']] as const) {
      const res = await send(path, { method, headers: { 'content-type': 'application/json' }, ...(method === 'PUT' && { body: '{}' }) });
      expect(res.status).toBe(404);
      const error = onlyError(res.body);
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('POST /graphql');
      expect(error.message).not.toContain('secret');
    }
  });

  it('GET / from a browser goes to GraphiQL', async () => {
    const res = await send('/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/graphql');
  });
});
