import { CREATE_DEVICE, CREATE_USER, newUserInput, RECORD_EVENT } from './support/documents';
import { createTestApi, type GraphQLResponse, type TestApi } from './support/test-api';

// The authorization matrix: every query, mutation and nested field that reaches owned data, sent by
// each kind of caller (a USER, an API key with each scope, anonymous) with another user's ids. None
// may get data: only null, an empty list, FORBIDDEN or UNAUTHENTICATED, and nothing is written. A
// second table checks the same callers on their own data, so that the refusals are the rules at work,
// not everything refused.
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { token } }';
const CREATE_KEY = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }';
const SCOPES = ['devices:read', 'events:read', 'events:write', 'recommendations:read'] as const;

/** What Bob owns, and the values that would show it leaked. */
interface Owned {
  userId: string;
  deviceId: string;
  eventId: string;
  keyId: string;
  /** Values only Bob's rows hold: none may appear anywhere in another caller's response. */
  markers: string[];
}

/** A user with a device, one reading and an API key, all made by the admin; plus the user's token. */
async function ownerWithData(tag: string): Promise<Owned & { token: string }> {
  const input = newUserInput();
  const userId = (await api.gql(CREATE_USER, { input })).data!.createUser.user.id as string;
  const deviceName = `${tag} node ${userId.slice(-6)}`;
  const deviceId = (await api.gql(CREATE_DEVICE, { input: { name: deviceName, ownerId: userId } })).data!.createDevice.device.id as string;
  const consumption = tag === 'bob' ? '777.77' : '111.11';
  const event = await api.gql(RECORD_EVENT, { input: { deviceId, consumption, unit: 'L' } });
  const keyName = `${tag} key ${userId.slice(-6)}`;
  const key = await api.gql(CREATE_KEY, { input: { name: keyName, scopes: ['devices:read'], ownerId: userId } });
  const login = await api.gql(LOGIN, { input: { username: input.username, password: input.password } }, { authorization: '' });
  return {
    userId,
    deviceId,
    eventId: event.data!.recordEvent.event.id,
    keyId: key.data!.createApiKey.apiKey.id,
    markers: [input.username, input.email, deviceName, consumption, keyName],
    token: login.data!.login.token,
  };
}

let alice: Owned & { token: string };
let bob: Owned;
/** Each caller's `Authorization` header ('' is anonymous). */
const callers: Record<string, string> = {};

beforeAll(async () => {
  alice = await ownerWithData('alice');
  bob = await ownerWithData('bob');
  callers['USER'] = `Bearer ${alice.token}`;
  for (const scope of SCOPES) {
    const key = await api.gql(CREATE_KEY, { input: { name: `alice ${scope}`, scopes: [scope], ownerId: alice.userId } }, { authorization: callers['USER'] });
    callers[`API key ${scope}`] = `Bearer ${key.data!.createApiKey.secret}`;
  }
  callers['anonymous'] = '';
});

/**
 * One operation of the matrix: its document, the root field it asks for, and its variables for an
 * owner's rows. A list (`list`) may hold the caller's own rows, never another's.
 */
interface Probe {
  name: string;
  query: string;
  field: string;
  variables(owned: Owned): Record<string, unknown>;
  list?: true;
}

const PAGE = 'edges { node { id } } totalCount';
/** Every type's fields that would show whose it is, for `node` and `nodes`. */
const ANY_NODE =
  '__typename ... on User { username email } ... on Device { name owner { username } } ... on Event { consumption device { name } } ... on ApiKey { name }';
const READS: Probe[] = [
  { name: 'user(id)', query: 'query ($id: ID!) { user(id: $id) { id username email } }', field: 'user', variables: (o) => ({ id: o.userId }) },
  { name: 'users', list: true, query: `{ users(first: 100) { edges { node { id username email } } totalCount } }`, field: 'users', variables: () => ({}) },
  { name: 'device(id)', query: 'query ($id: ID!) { device(id: $id) { id name } }', field: 'device', variables: (o) => ({ id: o.deviceId }) },
  { name: 'devices', list: true, query: '{ devices(first: 100) { edges { node { id name } } totalCount } }', field: 'devices', variables: () => ({}) },
  { name: 'devices(ownerId)', query: `query ($id: ID!) { devices(ownerId: $id) { ${PAGE} } }`, field: 'devices', variables: (o) => ({ id: o.userId }) },
  { name: 'event(id)', query: 'query ($id: ID!) { event(id: $id) { id consumption } }', field: 'event', variables: (o) => ({ id: o.eventId }) },
  { name: 'events', list: true, query: '{ events(first: 100) { edges { node { id consumption } } totalCount } }', field: 'events', variables: () => ({}) },
  { name: 'events(deviceId)', query: `query ($id: ID!) { events(deviceId: $id) { ${PAGE} } }`, field: 'events', variables: (o) => ({ id: o.deviceId }) },
  { name: 'apiKeys', list: true, query: '{ apiKeys { id name } }', field: 'apiKeys', variables: () => ({}) },
  {
    name: 'User.devices, Device.events, Device.latestEvent, Device.consumption, Event.device',
    query: `query ($id: ID!) { user(id: $id) { devices { edges { node { name latestEvent { consumption }
      consumption(granularity: YEAR, periods: 1) { total }
      events { edges { node { consumption device { name owner { username } } } } } } } } } }`,
    field: 'user',
    variables: (o) => ({ id: o.userId }),
  },
  {
    name: 'Device.owner, Device.events via device(id)',
    query: 'query ($id: ID!) { device(id: $id) { owner { username } events { edges { node { consumption } } } } }',
    field: 'device',
    variables: (o) => ({ id: o.deviceId }),
  },
  { name: 'Event.device via event(id)', query: 'query ($id: ID!) { event(id: $id) { device { name owner { email } } } }', field: 'event', variables: (o) => ({ id: o.eventId }) },
  ...(['userId', 'deviceId', 'eventId', 'keyId'] as const).map(
    (key): Probe => ({ name: `node(${key})`, query: `query ($id: ID!) { node(id: $id) { id ${ANY_NODE} } }`, field: 'node', variables: (o) => ({ id: o[key] }) }),
  ),
  {
    name: 'nodes(ids)',
    list: true,
    query: `query ($ids: [ID!]!) { nodes(ids: $ids) { id ${ANY_NODE} } }`,
    field: 'nodes',
    variables: (o) => ({ ids: [o.userId, o.deviceId, o.eventId, o.keyId] }),
  },
];

const WRITES: Probe[] = [
  {
    name: 'updateUser',
    query: 'mutation ($id: ID!) { updateUser(id: $id, input: { firstName: "Taken" }) { user { id email } } }',
    field: 'updateUser',
    variables: (o) => ({ id: o.userId }),
  },
  { name: 'deactivateUser', query: 'mutation ($id: ID!) { deactivateUser(id: $id) { user { id } } }', field: 'deactivateUser', variables: (o) => ({ id: o.userId }) },
  {
    name: 'createDevice',
    query: 'mutation ($id: ID!) { createDevice(input: { name: "Planted", ownerId: $id }) { device { id owner { email } } } }',
    field: 'createDevice',
    variables: (o) => ({ id: o.userId }),
  },
  {
    name: 'updateDevice',
    query: 'mutation ($id: ID!) { updateDevice(id: $id, input: { name: "Taken" }) { device { id events { edges { node { consumption } } } } } }',
    field: 'updateDevice',
    variables: (o) => ({ id: o.deviceId }),
  },
  { name: 'deleteDevice', query: 'mutation ($id: ID!) { deleteDevice(id: $id) { device { id name } } }', field: 'deleteDevice', variables: (o) => ({ id: o.deviceId }) },
  {
    name: 'recordEvent',
    query: 'mutation ($id: ID!) { recordEvent(input: { deviceId: $id, consumption: "1.00", unit: "L" }) { event { id device { name } } } }',
    field: 'recordEvent',
    variables: (o) => ({ id: o.deviceId }),
  },
  {
    name: 'recordEvents',
    query: 'mutation ($id: ID!) { recordEvents(inputs: [{ deviceId: $id, consumption: "1.00", unit: "L" }]) { count } }',
    field: 'recordEvents',
    variables: (o) => ({ id: o.deviceId }),
  },
  {
    name: 'createApiKey',
    query: 'mutation ($id: ID!) { createApiKey(input: { name: "planted", scopes: ["events:read"], ownerId: $id }) { secret } }',
    field: 'createApiKey',
    variables: (o) => ({ id: o.userId }),
  },
  { name: 'revokeApiKey', query: 'mutation ($id: ID!) { revokeApiKey(id: $id) { apiKey { name } } }', field: 'revokeApiKey', variables: (o) => ({ id: o.keyId }) },
];

/** How a response answered its root field: an error code, `null`, `empty` (no rows) or `data`. */
function outcome(res: GraphQLResponse, field: string): string {
  const code = res.errors?.[0]?.extensions?.code as string | undefined;
  if (code) return code;
  const value = res.data?.[field];
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value) && value.every((item) => item === null)) return 'empty';
  if (Array.isArray(value.edges) && value.edges.length === 0 && value.totalCount === 0) return 'empty';
  return 'data';
}

/** Everything of Bob's that a write could change. */
async function bobsRows(): Promise<unknown[]> {
  return [
    await api.db.sql('select first_name, active, version from users where id = $1', [bob.userId]),
    await api.db.sql('select id, name, version from devices where owner_id = $1 order by id', [bob.userId]),
    await api.db.sql('select e.id from events e join devices n on n.id = e.device_id where n.owner_id = $1 order by e.id', [bob.userId]),
    await api.db.sql('select id, revoked_at from api_keys where owner_id = $1 order by id', [bob.userId]),
  ];
}

describe("another user's data", () => {
  const NOTHING = ['null', 'empty', 'FORBIDDEN', 'UNAUTHENTICATED'];

  it.each(['USER', ...SCOPES.map((scope) => `API key ${scope}`), 'anonymous'])('%s gets none of it from any read', async (caller) => {
    for (const probe of READS) {
      const res = await api.gql(probe.query, probe.variables(bob), { authorization: callers[caller]! });
      const text = JSON.stringify(res);
      const leaked = bob.markers.filter((marker) => text.includes(marker));
      const idsInData = [bob.userId, bob.deviceId, bob.eventId, bob.keyId].filter((id) => JSON.stringify(res.data ?? null).includes(id));
      const answer = outcome(res, probe.field);
      expect({ probe: probe.name, leaked, idsInData, nothing: NOTHING.includes(answer) || (probe.list && answer === 'data') || answer }).toEqual({
        probe: probe.name,
        leaked: [],
        idsInData: [],
        nothing: true,
      });
    }
  });

  it.each(['USER', ...SCOPES.map((scope) => `API key ${scope}`), 'anonymous'])('%s changes none of it, and gets FORBIDDEN or UNAUTHENTICATED', async (caller) => {
    const before = await bobsRows();
    for (const probe of WRITES) {
      const res = await api.gql(probe.query, probe.variables(bob), { authorization: callers[caller]! });
      const leaked = bob.markers.filter((marker) => JSON.stringify(res).includes(marker));
      expect({ probe: probe.name, outcome: outcome(res, probe.field), data: res.data ?? null, leaked }).toEqual({
        probe: probe.name,
        outcome: caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        data: null,
        leaked: [],
      });
    }
    expect(await bobsRows()).toEqual(before);
  });

  it('an ADMIN reads and reaches all of it (the refusals above are the rules, not a broken read)', async () => {
    for (const probe of READS) {
      const res = await api.gql(probe.query, probe.variables(bob));
      expect({ probe: probe.name, outcome: outcome(res, probe.field) }).toEqual({ probe: probe.name, outcome: 'data' });
    }
  });

  it("an ADMIN's API key, with every scope, sees none of it: a key acts only on its owner's own rows", async () => {
    const key = await api.gql(CREATE_KEY, { input: { name: 'admin reader', scopes: [...SCOPES], ownerId: api.admin!.id } });
    const authorization = `Bearer ${key.data!.createApiKey.secret}`;
    for (const probe of READS.filter((p) => p.name !== 'apiKeys')) {
      const res = await api.gql(probe.query, probe.variables(bob), { authorization });
      const leaked = bob.markers.filter((marker) => JSON.stringify(res).includes(marker));
      expect({ probe: probe.name, leaked }).toEqual({ probe: probe.name, leaked: [] });
    }
  });
});

describe("the callers' own data", () => {
  // What each caller gets on Alice's own rows: a USER everything, a key what its scope names, anonymous nothing.
  const EXPECTED: Record<string, Record<string, string>> = {
    'device(id)': { USER: 'data', 'devices:read': 'data', 'events:read': 'FORBIDDEN', 'events:write': 'FORBIDDEN', 'recommendations:read': 'FORBIDDEN' },
    'event(id)': { USER: 'data', 'devices:read': 'FORBIDDEN', 'events:read': 'data', 'events:write': 'FORBIDDEN', 'recommendations:read': 'FORBIDDEN' },
    'events(deviceId)': { USER: 'data', 'devices:read': 'FORBIDDEN', 'events:read': 'data', 'events:write': 'FORBIDDEN', 'recommendations:read': 'FORBIDDEN' },
    'user(id)': { USER: 'data', 'devices:read': 'data', 'events:read': 'data', 'events:write': 'data', 'recommendations:read': 'data' },
    recordEvent: { USER: 'data', 'devices:read': 'FORBIDDEN', 'events:read': 'FORBIDDEN', 'events:write': 'data', 'recommendations:read': 'FORBIDDEN' },
    'node(deviceId)': { USER: 'data', 'devices:read': 'data', 'events:read': 'null', 'events:write': 'null', 'recommendations:read': 'null' },
    'node(eventId)': { USER: 'data', 'devices:read': 'null', 'events:read': 'data', 'events:write': 'null', 'recommendations:read': 'null' },
    'node(keyId)': { USER: 'data', 'devices:read': 'null', 'events:read': 'null', 'events:write': 'null', 'recommendations:read': 'null' },
    updateDevice: { USER: 'data', 'devices:read': 'FORBIDDEN', 'events:read': 'FORBIDDEN', 'events:write': 'FORBIDDEN', 'recommendations:read': 'FORBIDDEN' },
  };
  const OWN_PROBES: Record<string, Probe> = {
    ...Object.fromEntries(READS.map((probe) => [probe.name, probe])),
    // The object alone: what its type's scope opens, not the relations other scopes open.
    ...Object.fromEntries(
      (['deviceId', 'eventId', 'keyId'] as const).map((key) => [
        `node(${key})`,
        { ...READS.find((p) => p.name === `node(${key})`)!, query: 'query ($id: ID!) { node(id: $id) { id __typename } }' },
      ]),
    ),
    recordEvent: { ...WRITES.find((p) => p.name === 'recordEvent')!, query: 'mutation ($id: ID!) { recordEvent(input: { deviceId: $id, consumption: "1.00", unit: "L" }) { event { id } } }' },
    updateDevice: { ...WRITES.find((p) => p.name === 'updateDevice')!, query: 'mutation ($id: ID!) { updateDevice(id: $id, input: { description: "mine" }) { device { id } } }' },
  };

  it.each(Object.keys(EXPECTED))('%s: each caller as its role or scope allows', async (name) => {
    const probe = OWN_PROBES[name]!;
    const got: Record<string, string> = {};
    for (const caller of Object.keys(EXPECTED[name]!)) {
      const authorization = callers[caller === 'USER' ? 'USER' : `API key ${caller}`]!;
      got[caller] = outcome(await api.gql(probe.query, probe.variables(alice), { authorization }), probe.field);
    }
    expect(got).toEqual(EXPECTED[name]);
    expect(outcome(await api.gql(probe.query, probe.variables(alice), { authorization: '' }), probe.field)).toBe('UNAUTHENTICATED');
  });

  it('recommendations: anyone, a USER, and a key with recommendations:read; not a key without it', async () => {
    const query = '{ recommendations { totalCount } randomRecommendations { id } }';
    const got = Object.fromEntries(
      await Promise.all(Object.entries(callers).map(async ([caller, authorization]) => [caller, (await api.gql(query, {}, { authorization })).errors?.[0]?.extensions?.code ?? 'data'])),
    );
    expect(got).toEqual({
      USER: 'data',
      'API key devices:read': 'FORBIDDEN',
      'API key events:read': 'FORBIDDEN',
      'API key events:write': 'FORBIDDEN',
      'API key recommendations:read': 'data',
      anonymous: 'data',
    });
  });
});
