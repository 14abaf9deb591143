import { loadConfig } from '../src/config';
import type { DeviceRecord } from '../src/entities';
import type { GraphQLContext } from '../src/graphql/context';
import { read } from '../src/db/sql';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

// Diagnostics no other GraphQL server gives: an operation whose field sends the same statement once
// per parent (an N+1 a loader missed), and work that outlives its operation, are reported with the
// field path; the test suite fails on either (tests/support/test-api.ts).

/** Probe fields of this spec's server only: what the API's own fields never do. */
const probe = {
  typeDefs: /* GraphQL */ `
    extend type Device {
      "Test probe: the owner's username, read with one statement per device (no loader)."
      probeOwnerNameUnbatched: String
    }
    extend type Query {
      "Test probe: answers at once, and sends a statement 100 ms later, after the operation has ended."
      probeLateStatement: Boolean
      "Test probe: answers at once, and looks up the device through the loaders 100 ms later."
      probeLateLookup(id: ID!): Boolean
    }
  `,
  resolvers: {
    Device: {
      probeOwnerNameUnbatched: async (device: DeviceRecord, _: unknown, ctx: GraphQLContext) =>
        (await read<{ username: string }>(ctx, 'select username from users where id = ?', [device.owner.id]))[0]?.username,
    },
    Query: {
      probeLateStatement: (_: unknown, __: unknown, ctx: GraphQLContext) => {
        setTimeout(() => void read(ctx, 'select 1', []).catch(() => undefined), 100);
        return true;
      },
      probeLateLookup: (_: unknown, { id }: { id: string }, ctx: GraphQLContext) => {
        setTimeout(() => void Promise.resolve(ctx.loaders.deviceById.get(id)).catch(() => undefined), 100);
        return true;
      },
    },
  },
};

const lines: Array<Record<string, unknown>> = [];
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ graphqlExtension: probe, allowDiagnostics: true, onLog: (line) => lines.push(line) });
  for (let i = 0; i < 12; i++) await createOwnerAndDevice(api, `Diagnosed ${i}`);
});
afterAll(async () => api.close());

const diagnostics = (reqId: string) => lines.filter((line) => String(line.msg).startsWith('diagnostic') && line.reqId === reqId);

describe('diagnostics', () => {
  it('report a field that sends one statement per parent, with its path and count', async () => {
    const res = await api.gql('{ devices(first: 12) { edges { node { probeOwnerNameUnbatched } } } }', {}, { 'x-request-id': 'n-plus-one' });
    expect(res.errors).toBeUndefined();
    expect(diagnostics('n-plus-one')).toEqual([
      expect.objectContaining({
        level: 40,
        kind: 'repeated_statement',
        origin: 'devices.edges.node.probeOwnerNameUnbatched',
        count: 12,
        limit: 10,
        statement: 'select username from users where id = $1',
      }),
    ]);
  });

  it('stay quiet for the same data through the loaders, and for aliases of one root field', async () => {
    await api.gql('{ devices(first: 12) { edges { node { owner { username } latestEvent { id } events { totalCount } } } } }', {}, { 'x-request-id': 'batched' });
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: devices(first: 1) { totalCount }`).join(' ');
    await api.gql(`{ ${aliases} }`, {}, { 'x-request-id': 'aliases' });
    expect([...diagnostics('batched'), ...diagnostics('aliases')]).toEqual([]);
  });

  it('report a statement sent after its operation answered', async () => {
    await api.gql('{ probeLateStatement }', {}, { 'x-request-id': 'late' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(diagnostics('late')).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'statement_after_operation', origin: 'probeLateStatement' })]));
  });

  it('report a lookup asked for after its operation answered, which is not sent', async () => {
    const { deviceId } = await createOwnerAndDevice(api, 'Looked up late');
    const sent = await api.statements(async () => {
      await api.gql('query ($id: ID!) { probeLateLookup(id: $id) }', { id: deviceId }, { 'x-request-id': 'late-lookup' });
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(diagnostics('late-lookup')).toEqual([expect.objectContaining({ kind: 'statement_after_operation', statement: expect.stringMatching(/from devices/) })]);
    expect(sent.filter((sql) => /from devices/.test(sql))).toEqual([]);
  });

  it('are on outside production, off in production unless DIAGNOSTICS says so', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).diagnostics.enabled).toBe(true);
    const production = { NODE_ENV: 'production', AUTH_SIGNING_KEY: 'k'.repeat(32) };
    expect(loadConfig(production).diagnostics.enabled).toBe(false);
    expect(loadConfig({ ...production, DIAGNOSTICS: 'true' }).diagnostics.enabled).toBe(true);
  });
});
