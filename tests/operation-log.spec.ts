import { CREATE_DEVICE, CREATE_USER, newUserInput } from './support/documents';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

// One log line per GraphQL operation: request id, operation name and type, duration, statements,
// how the unit of work ended, error codes, caller; never a password, a token or a key.
const lines: Array<Record<string, unknown>> = [];
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ onLog: (line) => lines.push(line) });
});
afterAll(async () => api.close());

function operationLines(reqId: string): Array<Record<string, unknown>> {
  return lines.filter((line) => line.msg === 'graphql operation' && line.reqId === reqId);
}

describe('the log line of an operation', () => {
  it('says what ran, for whom, how long, how many statements, and that a query was cleared', async () => {
    const user = await api.gql(CREATE_USER, { input: newUserInput() });
    const device = await api.gql(CREATE_DEVICE, { input: { name: 'Logged valve', ownerId: user.data!.createUser.user.id } });
    const deviceId = device.data!.createDevice.device.id as string;
    const sent = await api.statements(() =>
      api.gql('query OneDevice($id: ID!) { device(id: $id) { name owner { username } } }', { id: deviceId }, { 'x-request-id': 'log-test-1' }),
    );
    expect(operationLines('log-test-1')).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: 'log-test-1',
        operation: { name: 'OneDevice', type: 'query' },
        statements: sent.length,
        unitOfWork: 'cleared',
        errors: [],
        caller: `user:${api.admin!.id}`,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(sent.length).toBe(1);
  });

  it('names the ids of its internal errors, which their own error lines carry', async () => {
    // A constraint the API does not know: the database refuses the write, and nothing explains why.
    await api.db.sql("alter table recommendations add constraint test_unknown_rule check (title <> 'Refused by a rule nobody mapped')");
    try {
      const input = { title: 'Refused by a rule nobody mapped', description: 'x', imageUrl: 'https://example.com/x.png', icon: 'drop' };
      const response = await api.gql('mutation Refused($input: CreateRecommendationInput!) { createRecommendation(input: $input) { recommendation { id } } }', { input }, { 'x-request-id': 'log-test-internal' });
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
      const errorId = response.errors![0]!.extensions!.errorId as string;
      expect(errorId).toEqual(expect.any(String));
      expect(operationLines('log-test-internal')).toEqual([expect.objectContaining({ unitOfWork: 'failed', errors: ['INTERNAL_SERVER_ERROR'], errorIds: [errorId] })]);
      expect(lines.filter((line) => line.msg === 'internal error' && line.errorId === errorId)).toHaveLength(1);
      // An operation without an internal error names none.
      expect(operationLines('log-test-1')[0]).not.toHaveProperty('errorIds');
    } finally {
      await api.db.sql('alter table recommendations drop constraint test_unknown_rule');
    }
  });

  it("counts every statement of a mutation, its transaction's BEGIN and COMMIT and the readings' insert included", async () => {
    const { deviceId } = await createOwnerAndDevice(api, 'Counted valve');
    const sent = await api.statements(() =>
      api.gql('mutation Counted($id: ID!) { recordEvents(inputs: [{ deviceId: $id, consumption: "1.00", unit: "L" }]) { count } }', { id: deviceId }, { 'x-request-id': 'log-test-4' }),
    );
    expect(sent.some((sql) => /insert into events/i.test(sql))).toBe(true);
    expect(sent.some((sql) => /^commit/i.test(sql))).toBe(true);
    expect(operationLines('log-test-4')).toEqual([expect.objectContaining({ unitOfWork: 'flushed', statements: sent.length })]);
  });

  it('says a mutation was flushed, or cleared with the codes of its errors', async () => {
    await api.gql(CREATE_USER, { input: newUserInput() }, { 'x-request-id': 'log-test-2' });
    expect(operationLines('log-test-2')).toEqual([
      expect.objectContaining({ operation: { name: 'CreateUser', type: 'mutation' }, unitOfWork: 'flushed', errors: [] }),
    ]);
    await api.gql(CREATE_USER, { input: newUserInput({ email: 'not-an-email' }) }, { 'x-request-id': 'log-test-3' });
    expect(operationLines('log-test-3')).toEqual([
      expect.objectContaining({ operation: { name: 'CreateUser', type: 'mutation' }, unitOfWork: 'cleared', errors: ['BAD_USER_INPUT'] }),
    ]);
  });

  it('never holds a password, a token or an API key secret, in any line', async () => {
    const input = newUserInput({ password: 'Very-Secret-Passw0rd-42' });
    await api.gql(CREATE_USER, { input });
    const login = await api.gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', {
      input: { username: input.username, password: input.password },
    }, { authorization: '' });
    const token = login.data!.login.token as string;
    await api.gql('{ me { id } }', {}, { authorization: `Bearer ${token}` });
    const key = await api.gql('mutation ($id: ID!) { createApiKey(input: { name: "logged", scopes: ["devices:read"], ownerId: $id }) { secret } }', {
      id: api.admin!.id,
    });
    const secret = key.data!.createApiKey.secret as string;
    await api.gql('{ me { id } }', {}, { authorization: `Bearer ${secret}` });
    await api.gql('{ me { id } }', {}, { authorization: 'Bearer forged.token.value' });
    // A GET's query string may carry variables: Fastify's request lines keep the path only.
    const loginByGet = encodeURIComponent('mutation { login(input: { username: "x", password: "Get-Secret-Passw0rd" }) { token } }');
    await fetch(`${api.url}/graphql?query=${loginByGet}`, { headers: { 'apollo-require-preflight': 'true' } });
    const text = JSON.stringify(lines);
    expect(text).toContain('graphql operation');
    for (const secretValue of [input.password, token, secret, api.admin!.token, 'forged.token.value', 'Get-Secret-Passw0rd']) {
      expect(text).not.toContain(secretValue);
    }
  });
});

describe('one line per request at info', () => {
  const linesOf = (reqId: string) => lines.filter((line) => line.reqId === reqId);

  it('is the operation line for a GraphQL request, however many things it did', async () => {
    await api.gql('{ me { id } devices(first: 2) { totalCount } }', {}, { 'x-request-id': 'one-line-1' });
    expect(linesOf('one-line-1').map((line) => line.msg)).toEqual(['graphql operation']);
  });

  it('is `request completed` with the status for a request refused before it became an operation', async () => {
    await fetch(`${api.url}/nowhere`, { headers: { 'x-request-id': 'one-line-2' } });
    await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'x-request-id': 'one-line-3' }, body: new Uint8Array(Buffer.from('{}')) });
    await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'x-request-id': 'one-line-4', 'content-type': 'application/json', authorization: 'Bearer forged' },
      body: '{"query":"{ me { id } }"}',
    });
    for (const [reqId, status] of [['one-line-2', 404], ['one-line-3', 415], ['one-line-4', 401]] as const) {
      expect(linesOf(reqId)).toEqual([expect.objectContaining({ level: 30, msg: 'request completed', res: { statusCode: status } })]);
    }
  });

  it('is none for a request that succeeded without GraphQL (probes, GraphiQL files)', async () => {
    await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'one-line-5' } });
    expect(linesOf('one-line-5')).toEqual([]);
  });
});
