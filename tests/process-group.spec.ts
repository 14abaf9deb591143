import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DASHBOARD_QUERY } from '../bench/documents';
import { freePort } from '../src/shared/free-port';
import { childrenOf, processesMentioning, startNpm, type NpmStart } from './support/api-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';

// `npm start` as people run it: from a terminal, whose Ctrl-C sends SIGINT to the whole foreground
// process group, or under a process manager, which sends SIGTERM to the group. npm forwards the signal
// to node, which so gets it twice; the embedded PostgreSQL must not get it at all, but be stopped last,
// after the requests in flight are answered. The race is in the timing, so each signal is tried a few times.
const ADMIN_PASSWORD = 'process-group-admin-1';
const CLIENTS = 8;

let dataDir: string;
let db: TestDatabase;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'aquamind-group-'));
  // As root, PostgreSQL runs as `postgres`, which must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  db = await createTestDatabase();
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await db.drop();
});

const clusterDir = () => path.join(dataDir, 'pg');

/** Every `npm start` of a test, killed (with its group) if a failed test left it running. */
const started: NpmStart[] = [];
afterEach(() => {
  for (const api of started.splice(0)) {
    if (api.child.exitCode === null && api.child.signalCode === null) api.signalGroup('SIGKILL');
  }
  for (const pid of processesMentioning(clusterDir())) process.kill(pid, 'SIGQUIT');
});

async function start(env: Record<string, string> = {}): Promise<NpmStart> {
  const api = await startNpm({
    AQUAMIND_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    AQUAMIND_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    SHUTDOWN_GRACE_MS: '10000',
    // The tries share a database: their load must not use up the admin's budget.
    RATE_LIMIT_POINTS: '1000000000',
    ...env,
  });
  started.push(api);
  return api;
}

async function adminToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation { login(input: { username: "admin", password: "${ADMIN_PASSWORD}" }) { token } }` }),
  });
  return ((await response.json()) as { data: { login: { token: string } } }).data.login.token;
}

interface Outcome {
  /** Whether it ended after the signal was sent (a request in flight, or one sent after). */
  afterSignal: boolean;
  status?: number;
  graphqlErrors?: unknown;
  error?: string;
}

/** A client sending the dashboard query again and again until the server goes away. */
async function client(baseUrl: string, token: string, signalled: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: DASHBOARD_QUERY, variables: { first: 20 } }),
      });
      const body = (await response.json()) as { errors?: unknown };
      outcomes.push({ afterSignal: signalled(), status: response.status, graphqlErrors: body.errors });
    } catch (error) {
      // Refused or closed before it was received: the server had stopped taking connections.
      outcomes.push({ afterSignal: signalled(), error: String((error as { cause?: { code?: string } }).cause?.code ?? error) });
      return outcomes;
    }
  }
}

/** Load on `api`, then `signal` to its whole process group; what the clients got, and how it ended. */
async function signalUnderLoad(api: NpmStart, signal: NodeJS.Signals) {
  const token = await adminToken(api.baseUrl);
  let signalled = false;
  const clients = Array.from({ length: CLIENTS }, () => client(api.baseUrl, token, () => signalled));
  await new Promise((resolve) => setTimeout(resolve, 700 + Math.random() * 600));
  signalled = true;
  api.signalGroup(signal);
  const exit = await api.exited;
  return { exit, outcomes: (await Promise.all(clients)).flat() };
}

function expectDrained({ exit, outcomes }: Awaited<ReturnType<typeof signalUnderLoad>>, api: NpmStart): void {
  const answered = outcomes.filter((outcome) => outcome.status !== undefined);
  // Every request received was answered, in full and without a server error...
  expect(answered.filter((outcome) => outcome.status !== 200 || outcome.graphqlErrors !== undefined)).toEqual([]);
  // ...including those in flight when the signal came.
  expect(answered.filter((outcome) => outcome.afterSignal).length).toBeGreaterThan(0);
  expect(outcomes.filter((outcome) => outcome.error !== undefined && !/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/.test(outcome.error))).toEqual([]);
  expect(api.output()).toContain('stopped');
  expect(api.output()).not.toMatch(/terminating connection|Connection terminated/);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(processesMentioning(clusterDir())).toEqual([]);
}

describe.each([
  ['SIGINT', 1],
  ['SIGINT', 2],
  ['SIGINT', 3],
  ['SIGTERM', 1],
  ['SIGTERM', 2],
  ['SIGTERM', 3],
] as const)('%s to the process group of `npm start` on the embedded PostgreSQL (try %i)', (signal, _try) => {
  it('answers every request received, logs `stopped`, exits 0, and leaves no PostgreSQL running', async () => {
    const api = await start();
    expectDrained(await signalUnderLoad(api, signal), api);
  }, 60_000);
});

describe.each(['SIGINT', 'SIGTERM'] as const)('%s to the process group of `npm start` on a DATABASE_URL', (signal) => {
  it('answers every request received, logs `stopped` and exits 0', async () => {
    const api = await start({ DATABASE_URL: db.url, SEED_ON_START: 'true' });
    expectDrained(await signalUnderLoad(api, signal), api);
  }, 60_000);
});

describe('a repeated signal while draining', () => {
  it('does not cut the drain short; a third one exits at once and says so', async () => {
    const api = await start({ SHUTDOWN_GRACE_MS: '3000' });
    // A request whose body never comes keeps the drain waiting until the grace period is over.
    const { hostname, port } = new URL(api.baseUrl);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((resolve) => setTimeout(resolve, 200));
    api.signalGroup('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    api.signalGroup('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.output()).toContain('still stopping');
    expect(api.child.exitCode).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    api.signalGroup('SIGINT');
    const exit = await api.exited;
    socket.destroy();
    expect(api.output()).toContain('exiting at once');
    expect(exit.code).not.toBe(0);
    // PostgreSQL is told to stop as node exits.
    for (let waited = 0; processesMentioning(clusterDir()).length > 0 && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesMentioning(clusterDir())).toEqual([]);
  }, 60_000);
});

describe('node killed with SIGKILL', () => {
  it('does not leave the embedded PostgreSQL running, and the next start works', async () => {
    const api = await start();
    const [node] = childrenOf(api.child.pid!);
    expect(processesMentioning(clusterDir()).length).toBeGreaterThan(0);
    process.kill(node!, 'SIGKILL');
    await api.exited;
    for (let waited = 0; processesMentioning(clusterDir()).length > 0 && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesMentioning(clusterDir())).toEqual([]);

    const next = await start();
    const token = await adminToken(next.baseUrl);
    expect(token).toEqual(expect.any(String));
    next.signalGroup('SIGINT');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(processesMentioning(clusterDir())).toEqual([]);
  }, 90_000);
});
