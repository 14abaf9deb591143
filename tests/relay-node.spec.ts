import { RECORD_EVENT } from './support/documents';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

// Relay's global object identification: `node(id)` and `nodes(ids)` find any object by its id, with
// the visibility of its typed field (tests/authorization-matrix.spec.ts sends them with another user's ids).
let api: TestApi;
const ids: Record<'User' | 'Device' | 'Event' | 'Recommendation' | 'ApiKey', string> = {} as never;

const ANY = `id __typename
  ... on User { username }
  ... on Device { name owner { id } }
  ... on Event { consumption device { id } }
  ... on Recommendation { title }
  ... on ApiKey { name }`;

beforeAll(async () => {
  api = await createTestApi();
  const { ownerId, deviceId } = await createOwnerAndDevice(api, 'Relay valve');
  ids.User = ownerId;
  ids.Device = deviceId;
  ids.Event = (await api.gql(RECORD_EVENT, { input: { deviceId, consumption: '4.20', unit: 'L' } })).data!.recordEvent.event.id;
  const tip = await api.gql('mutation ($input: CreateRecommendationInput!) { createRecommendation(input: $input) { recommendation { id } } }', {
    input: { title: 'Relay tip', description: 'Refetch me.', imageUrl: 'https://assets.aquamind.app/tips/droplet.png', icon: 'droplet' },
  });
  ids.Recommendation = tip.data!.createRecommendation.recommendation.id;
  const key = await api.gql('mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }', {
    input: { name: 'Relay key', scopes: ['devices:read'], ownerId },
  });
  ids.ApiKey = key.data!.createApiKey.apiKey.id;
});
afterAll(async () => api.close());

describe('node(id)', () => {
  it.each(['User', 'Device', 'Event', 'Recommendation', 'ApiKey'] as const)('finds a %s by its id, as that type', async (type) => {
    const res = await api.gql(`query ($id: ID!) { node(id: $id) { ${ANY} } }`, { id: ids[type] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.node).toMatchObject({ id: ids[type], __typename: type });
    const expected = {
      User: { username: expect.any(String) },
      Device: { name: 'Relay valve', owner: { id: ids.User } },
      Event: { consumption: '4.20', device: { id: ids.Device } },
      Recommendation: { title: 'Relay tip' },
      ApiKey: { name: 'Relay key' },
    }[type];
    expect(res.data!.node).toMatchObject(expected);
  });

  it('answers null for an id no object has, and BAD_USER_INPUT for one that is not an id', async () => {
    const none = await api.gql('{ node(id: "0190a0a0-0000-7000-8000-00000000ffff") { id } }');
    expect(none.errors).toBeUndefined();
    expect(none.data).toEqual({ node: null });
    const bad = await api.gql('{ node(id: "device-1") { id } }');
    expect(bad.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('nodes(ids)', () => {
  it('answers in the order asked, null where no object has the id, in one statement per type however many ids', async () => {
    const unknown = '0190a0a0-0000-7000-8000-00000000fffe';
    const order = [ids.ApiKey, unknown, ids.Event, ids.User, ids.Recommendation, ids.Device];
    const statements = await api.statements(async () => {
      const res = await api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ${ANY} } }`, { ids: order });
      expect(res.errors).toBeUndefined();
      expect(res.data!.nodes.map((node: any) => node && [node.__typename, node.id])).toEqual([
        ['ApiKey', ids.ApiKey],
        null,
        ['Event', ids.Event],
        ['User', ids.User],
        ['Recommendation', ids.Recommendation],
        ['Device', ids.Device],
      ]);
    });
    // The types of every id, then each type's records (a device brings its owner; the event's device is held).
    expect(statements).toHaveLength(6);
    const twice = await api.statements(() => api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ${ANY} } }`, { ids: [...order, ...order] }));
    expect(twice).toHaveLength(6);
  });

  it('refuses more than 100 ids, and names an id that is not one', async () => {
    const many = await api.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 101 }, () => ids.User) });
    expect(many.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'ids' });
    const bad = await api.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [ids.User, 'nope'] });
    expect(bad.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'ids[1]' });
  });
});
