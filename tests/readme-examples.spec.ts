import { readFileSync } from 'node:fs';
import path from 'node:path';
import { seedDemo } from '../src/db/seed/seeder';
import { createTestApi, type TestApi } from './support/test-api';

// The README's example queries are what a new user tries first: they must work on the demo data.
const readme = readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
const queries = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((q) => q.trimStart().startsWith('query'));

let api: TestApi;
/** As the README says: sign in as the demo admin, then send the token. */
let headers: Record<string, string>;
beforeAll(async () => {
  api = await createTestApi({ withAdmin: false });
  await seedDemo(api.db.orm, { adminPassword: 'Readme-Passw0rd' });
  const login = await api.gql('mutation { login(input: { username: "admin", password: "Readme-Passw0rd" }) { token } }');
  headers = { authorization: `Bearer ${login.data!.login.token}` };
});
afterAll(async () => api.close());

/** Every list in a response, to check that none of the example's lists came back empty. */
function lists(value: unknown, found: unknown[][] = []): unknown[][] {
  if (Array.isArray(value)) {
    found.push(value);
    value.forEach((item) => lists(item, found));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((child) => lists(child, found));
  }
  return found;
}

describe('the README examples', () => {
  it('has example queries', () => {
    expect(queries.length).toBeGreaterThanOrEqual(3);
  });

  it.each(queries.map((q) => [q.split('\n')[0], q]))('%s returns the demo data', async (_name, query) => {
    const res = await api.gql(query, {}, headers);
    expect(res.errors).toBeUndefined();
    const found = lists(res.data);
    expect(found.length).toBeGreaterThan(0);
    for (const list of found) expect(list.length).toBeGreaterThan(0);
  });
});
