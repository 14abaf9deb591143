import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const CREATE = `mutation ($input: CreateRecommendationInput!) {
  createRecommendation(input: $input) { recommendation { id title active version } }
}`;

let n = 0;
const tip = (overrides: Record<string, unknown> = {}) => ({
  title: `Tip ${++n} ${Date.now() % 10000}`,
  description: 'Save water.',
  imageUrl: 'https://assets.aquamind.app/tips/droplet.png',
  icon: 'droplet',
  ...overrides,
});

describe('recommendations', () => {
  it('keeps titles unique among active tips, ignoring case, and frees a title on deactivation', async () => {
    const first = await api.gql(CREATE, { input: tip({ title: 'Fix leaks' }) });
    expect(first.errors).toBeUndefined();
    const dup = await api.gql(CREATE, { input: tip({ title: 'FIX LEAKS' }) });
    expect(dup.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.title' });

    const id = first.data!.createRecommendation.recommendation.id;
    await api.gql('mutation ($id: ID!) { deactivateRecommendation(id: $id) { recommendation { active } } }', { id });
    const reuse = await api.gql(CREATE, { input: tip({ title: 'Fix leaks' }) });
    expect(reuse.errors).toBeUndefined();

    const back = await api.gql('mutation ($id: ID!) { reactivateRecommendation(id: $id) { recommendation { active } } }', { id });
    expect(back.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'title' });
    expect(await api.db.sql(`select active from recommendations where id = $1`, [id])).toEqual([{ active: false }]);
  });

  it.each([
    ['imageUrl', { imageUrl: 'http://insecure.example/x.png' }],
    ['imageUrl', { imageUrl: 'javascript:alert(1)' }],
    ['icon', { icon: 'Not An Icon' }],
    ['title', { title: '' }],
    ['description', { description: 'x'.repeat(2001) }],
  ])('refuses a bad %s', async (field, overrides) => {
    const res = await api.gql(CREATE, { input: tip(overrides) });
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: `input.${field}` });
  });

  it('updates with a version check', async () => {
    const created = await api.gql(CREATE, { input: tip() });
    const id = created.data!.createRecommendation.recommendation.id;
    const update = `mutation ($id: ID!, $v: Int) { updateRecommendation(id: $id, input: { description: "Better.", expectedVersion: $v }) { recommendation { version } } }`;
    expect((await api.gql(update, { id, v: 1 })).data!.updateRecommendation.recommendation.version).toBe(2);
    expect((await api.gql(update, { id, v: 1 })).errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.expectedVersion' });
  });

  it('gives distinct random active tips and lists with an active filter', async () => {
    for (let i = 0; i < 6; i++) await api.gql(CREATE, { input: tip() });
    const random = await api.gql('{ randomRecommendations(count: 5) { id active } }');
    const ids = random.data!.randomRecommendations.map((r: any) => r.id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(random.data!.randomRecommendations.every((r: any) => r.active)).toBe(true);

    const inactive = await api.gql('{ recommendations(active: false, first: 100) { totalCount edges { node { active } } } }');
    expect(inactive.data!.recommendations.edges.every((e: any) => !e.node.active)).toBe(true);
    for (const count of [0, 21]) {
      const res = await api.gql(`{ randomRecommendations(count: ${count}) { id } }`);
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'count' });
    }
  });
});
