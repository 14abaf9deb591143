import { randomBytes } from 'node:crypto';
import { tokensFor } from '../src/auth/signing-key';
import { loadConfig } from '../src/config';
import { User } from '../src/entities';
import { seedScale } from '../src/db/seed/seeder';
import { DASHBOARD_QUERY } from '../bench/documents';
import { connect } from 'node:net';
import { startApi } from './support/api-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';

// Shutdown under keep-alive load: the API as `npm start` runs it, on a DATABASE_URL, 16 clients
// sending the dashboard query over keep-alive connections, then SIGTERM. Every request the server
// received is answered, the process exits 0 within the grace period, and no database connection is left.
const GRACE_MS = 5_000;
const CLIENTS = 16;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedScale(db.orm, { devices: 50, eventsPerDevice: 20 });
});
afterAll(async () => db.drop());

interface Outcome {
  id: string;
  sentAfterSignal: boolean;
  status?: number;
  error?: string;
}

/**
 * One client: the dashboard query again and again on its keep-alive connection. A persistent one goes
 * on until the server goes away; the others stop sending once the signal is sent, and leave their
 * connection open and idle (as a client between bursts does): the server must not wait for those.
 */
async function client(n: number, url: string, authorization: string, signalledAt: () => number | undefined): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const persistent = n % 2 === 0;
  for (let i = 0; ; i++) {
    if (!persistent && signalledAt() !== undefined) return outcomes;
    const id = `client${n}-${i}`;
    const sentAfterSignal = signalledAt() !== undefined;
    try {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization, 'x-request-id': id },
        body: JSON.stringify({ query: DASHBOARD_QUERY, variables: { first: 10 } }),
      });
      await response.arrayBuffer();
      outcomes.push({ id, sentAfterSignal, status: response.status });
    } catch (error) {
      outcomes.push({ id, sentAfterSignal, error: String((error as { cause?: { code?: string } }).cause?.code ?? error) });
      return outcomes;
    }
  }
}

describe('a SIGTERM under keep-alive load', () => {
  it('answers every request the server received, closes every connection, and exits 0 within the grace period', async () => {
    const key = randomBytes(48).toString('base64url');
    const em = db.orm.em.fork();
    const admin = em.create(User, { username: 'shutdown_admin', email: 'shutdown@example.com', passwordHash: 'none', firstName: 'A', lastName: 'B', role: 'ADMIN' });
    await em.persist(admin).flush();
    const token = (await (await tokensFor(loadConfig({ AUTH_SIGNING_KEY: key }))).issue(admin.id)).token;
    const harness = new Set((await db.sql<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()')).map((row) => row.pid));

    const api = await startApi({
      DATABASE_URL: db.url,
      NODE_ENV: 'production',
      AUTH_SIGNING_KEY: key,
      // Fastify's request lines (received, answered) are at debug.
      LOG_LEVEL: 'debug',
      SEED_ON_START: 'false',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    const signal: { at?: number } = {};
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n, api.baseUrl, `Bearer ${token}`, () => signal.at));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    signal.at = performance.now();
    const exitCode = await api.stop('SIGTERM');
    const exitedAfterMs = performance.now() - signal.at;
    const outcomes = (await Promise.all(clients)).flat();

    expect(exitCode).toBe(0);
    expect(exitedAfterMs).toBeLessThan(GRACE_MS);

    // What the server received and answered, from its own log (one line each, with the request's id).
    const lines = api
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { reqId?: string; msg?: string; res?: { statusCode: number } });
    const received = new Set(lines.filter((line) => line.msg === 'incoming request').map((line) => line.reqId));
    const answered = new Set(lines.filter((line) => line.msg === 'request completed').map((line) => line.reqId));
    expect([...received].filter((id) => !answered.has(id))).toEqual([]);
    // A client's request that failed never reached the server (its connection was refused or already closed).
    expect(outcomes.filter((o) => o.error !== undefined && received.has(o.id))).toEqual([]);
    // Under load, requests were in flight when the signal came, and they got their answers.
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(CLIENTS);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200)).toEqual([]);
    // Every persistent client ended on a connection error, once the server stopped taking connections.
    expect(outcomes.filter((o) => o.error !== undefined).length).toBe(CLIENTS / 2);

    const left = await db.sql<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
    expect(left.filter((row) => !harness.has(row.pid))).toEqual([]);
  }, 60_000);
});

describe('a SIGTERM while a request never finishes', () => {
  it('answers /readyz 503 while draining, closes the stuck connection once the grace period is over, and exits 0 then', async () => {
    const grace = 1_500;
    const api = await startApi({
      DATABASE_URL: db.url,
      NODE_ENV: 'production',
      AUTH_SIGNING_KEY: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'info',
      SEED_ON_START: 'false',
      SHUTDOWN_GRACE_MS: String(grace),
    });
    // A request whose body never comes: received, so not idle, and never answered.
    const { hostname, port } = new URL(api.baseUrl);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    socket.on('error', () => undefined);
    const cut = new Promise((resolve) => socket.once('close', resolve));
    // A readiness probe already under way (its headers half sent) when the signal comes, finished after it.
    const probe = connect({ host: hostname, port: Number(port) });
    await new Promise((resolve) => probe.once('connect', resolve));
    probe.write('GET /readyz HTTP/1.1\r\nHost: test\r\n');
    let probeAnswer = '';
    probe.on('data', (chunk: Buffer) => (probeAnswer += chunk.toString()));
    probe.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalled = performance.now();
    const exited = api.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    probe.write('\r\n');
    const exitCode = await exited;
    const exitedAfterMs = performance.now() - signalled;
    await cut;
    expect(probeAnswer).toMatch(/^HTTP\/1\.1 503/);
    expect(probeAnswer.toLowerCase()).toContain('connection: close');
    expect(probeAnswer).toContain('shutting down');
    expect(exitCode).toBe(0);
    expect(exitedAfterMs).toBeGreaterThanOrEqual(grace - 50);
    expect(exitedAfterMs).toBeLessThan(grace + 3_000);
    expect(api.output()).toContain('shutdown grace period over');
  }, 30_000);
});
