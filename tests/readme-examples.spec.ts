import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { seedDemo } from '../src/db/seed/seeder';
import { createTestApi, type TestApi } from './support/test-api';

// The README's examples are what a new user tries first, in the order they come: every GraphQL block
// (queries and mutations) and every `curl` line runs on the demo data, as the README tells it. The
// examples chain: what one answers (the token, a device's id, a key's secret) is what the next uses,
// as a reader would copy it across, so an example whose input has no source fails here.
const readme = readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
const ADMIN_PASSWORD = 'Readme-Passw0rd';

type Example = { kind: 'graphql'; text: string } | { kind: 'curl'; text: string };

/** The README's GraphQL blocks and `curl` commands (with their continuation lines), in order. */
function examples(): Example[] {
  const found: Example[] = [];
  for (const block of readme.matchAll(/```(graphql|sh)\n([\s\S]*?)```/g)) {
    const body = block[2]!.replace(/^ {3}/gm, '');
    if (block[1] === 'graphql') found.push({ kind: 'graphql', text: body });
    else for (const command of body.replace(/\\\n/g, ' ').split(/\n(?=\S)/)) if (command.startsWith('curl ')) found.push({ kind: 'curl', text: command.trim() });
  }
  return found;
}

let api: TestApi;
/** What earlier examples answered, by the name a later one uses: `$TOKEN`, `$deviceId`, … */
const known: Record<string, string> = {};

beforeAll(async () => {
  api = await createTestApi({ withAdmin: false });
  await seedDemo(api.db.orm, { adminPassword: ADMIN_PASSWORD });
});
afterAll(async () => api.close());

/** Keeps what a reader would copy from an answer into a later example. */
function remember(data: any): void {
  if (data?.login?.token) known.TOKEN = data.login.token;
  if (data?.createApiKey?.secret) known.AQUAMIND_KEY = data.createApiKey.secret;
  if (data?.createDevice?.device?.id) known.DEVICE_ID = data.createDevice.device.id;
  const firstDevice = data?.devices?.edges?.[0]?.node?.id;
  if (firstDevice && !known.deviceId) {
    known.deviceId = firstDevice;
    known.id = firstDevice;
  }
}

/** Every list in a response, to check that none of a query's lists came back empty. */
function lists(value: unknown, found: unknown[][] = []): unknown[][] {
  if (Array.isArray(value)) {
    found.push(value);
    value.forEach((item) => lists(item, found));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((child) => lists(child, found));
  }
  return found;
}

async function runGraphQL(text: string): Promise<void> {
  const document = text.replace('<the password npm start printed>', ADMIN_PASSWORD);
  const names = [...document.matchAll(/\$(\w+)\s*:/g)].map((match) => match[1]!);
  for (const name of names) expect({ variable: name, known: known[name] !== undefined }).toEqual({ variable: name, known: true });
  const variables = Object.fromEntries(names.map((name) => [name, known[name]]));
  if (document.trimStart().startsWith('subscription')) return runSubscription(document, variables);
  // Signed in as the README says (the GraphiQL form, or the token in the Headers tab) once it has signed in.
  const res = await api.gql(document, variables, { authorization: known.TOKEN ? `Bearer ${known.TOKEN}` : '' });
  expect(res.errors).toBeUndefined();
  if (document.trimStart().startsWith('query')) {
    const found = lists(res.data);
    expect(found.length).toBeGreaterThan(0);
    for (const list of found) expect(list.length).toBeGreaterThan(0);
  }
  remember(res.data);
}

/** A subscription as the README says to run it (graphql-ws, signed in by `connection_init`): it hears a reading recorded next. */
async function runSubscription(document: string, variables: Record<string, unknown>): Promise<void> {
  const client = createClient({
    url: `${api.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${known.TOKEN}` },
    retryAttempts: 0,
  });
  try {
    const heard = new Promise<FormattedExecutionResult>((resolve, reject) => {
      client.subscribe({ query: document, variables }, { next: resolve, error: reject, complete: () => reject(new Error('completed without a result')) });
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const recorded = await api.gql('mutation ($d: ID!) { recordEvent(input: { deviceId: $d, consumption: "1.00", unit: "L" }) { event { id } } }', { d: known.deviceId }, { authorization: `Bearer ${known.TOKEN}` });
    expect(recorded.errors).toBeUndefined();
    const result = await heard;
    expect(result.errors).toBeUndefined();
    expect(result.data).toBeDefined();
  } finally {
    await client.dispose();
  }
}

async function runCurl(text: string): Promise<void> {
  const shellVariables = [...text.matchAll(/\$([A-Z_]+)/g)].map((match) => match[1]!);
  for (const name of shellVariables) expect({ variable: name, known: known[name] !== undefined }).toEqual({ variable: name, known: true });
  const command = text.replace('localhost:4000', new URL(api.url).host);
  const { stdout } = await promisify(execFile)('sh', ['-c', command], { env: { ...process.env, ...known } });
  const body = JSON.parse(stdout) as { data?: unknown; errors?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data).toBeDefined();
  remember(body.data);
}

describe('the README examples, in order', () => {
  const all = examples();

  it('has GraphQL blocks and curl lines, and every one of them runs below', () => {
    expect(all.filter((example) => example.kind === 'graphql').length).toBeGreaterThanOrEqual(6);
    expect(all.filter((example) => example.kind === 'curl').length).toBeGreaterThanOrEqual(3);
  });

  // In order, one after another: each may use what the ones before it answered.
  it.each(all.map((example, i) => [i + 1, example.kind, example.text.split('\n')[0]!.slice(0, 70), example] as const))(
    '%i (%s) %s',
    async (_n, _kind, _title, example) => {
      if (example.kind === 'graphql') await runGraphQL(example.text);
      else await runCurl(example.text);
    },
    30_000,
  );
});
