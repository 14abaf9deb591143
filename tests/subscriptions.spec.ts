import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';
import { buildApp } from '../src/http/app';
import { CREATE_DEVICE, CREATE_USER, newUserInput, RECORD_EVENTS, UPDATE_DEVICE } from './support/documents';
import { startApi } from './support/api-process';
import { pgProxy } from './support/pg-proxy';
import { createTestApi, type TestApi } from './support/test-api';
import { createTestDatabase } from './support/test-database';

// Subscriptions with a real graphql-ws client against the running app: a subscriber hears only what
// was committed, only what it may see, each result resolved in a unit of work of its own.
let api: TestApi;
let alice: { id: string; token: string; deviceId: string };
let bob: { id: string; token: string; deviceId: string };
const clients: Client[] = [];

async function newUser(name: string): Promise<{ id: string; token: string; deviceId: string }> {
  const input = newUserInput();
  const id = (await api.gql(CREATE_USER, { input })).data!.createUser.user.id as string;
  const login = await api.gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', { input: { username: input.username, password: input.password } });
  const deviceId = (await api.gql(CREATE_DEVICE, { input: { name, ownerId: id } })).data!.createDevice.device.id as string;
  return { id, token: login.data!.login.token as string, deviceId };
}

/** The app's log lines (info and above). */
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  api = await createTestApi({ onLog: (line) => logs.push(line) });
  alice = await newUser('Alice valve');
  bob = await newUser('Bob valve');
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.dispose();
});
afterAll(async () => api.close());

/** A graphql-ws client of the app at `url`, connected at once; `onClosed` hears its socket's close code. */
function connect(url: string, authorization: string | undefined, onClosed?: (code: number) => void): Client {
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: authorization === undefined ? {} : { authorization },
    retryAttempts: 0,
    lazy: false,
    // A refused socket is what some tests expect: they read it from the subscription.
    onNonLazyError: () => undefined,
    on: onClosed && { closed: (event) => onClosed((event as { code: number }).code) },
  });
  clients.push(client);
  return client;
}

/** A subscription's results as they come, with a way to wait for the next ones. */
function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: ExecutionResult[] = [];
  const waiters: Array<() => void> = [];
  let completed = false;
  let failure: unknown;
  client.subscribe(
    { query, variables },
    {
      next: (result) => {
        results.push(result as ExecutionResult);
        waiters.splice(0).forEach((wake) => wake());
      },
      error: (error) => {
        failure = error;
        waiters.splice(0).forEach((wake) => wake());
      },
      complete: () => {
        completed = true;
        waiters.splice(0).forEach((wake) => wake());
      },
    },
  );
  return {
    results,
    failure: () => failure,
    completed: () => completed,
    /** Waits until `count` results have come, or the subscription ended, or `ms` passed. */
    async until(count: number, ms = 10_000): Promise<ExecutionResult[]> {
      const deadline = Date.now() + ms;
      while (results.length < count && !completed && failure === undefined && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return results;
    },
  };
}

/** Gives the subscribe step time to run on the server (no message says it has). */
async function subscribed(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
}

const EVENT_RECORDED = `subscription ($deviceId: ID) {
  eventRecorded(deviceId: $deviceId) { id consumption unit device { id name owner { username } latestEvent { id } } }
}`;

const record = (deviceId: string, consumption: string, headers: Record<string, string> = {}) =>
  api.gql(RECORD_EVENTS, { inputs: [{ deviceId, consumption, unit: 'L' }] }, headers);

describe('eventRecorded', () => {
  it('delivers a committed reading with a nested selection, resolved in a unit of work', async () => {
    const sub = subscribe(connect(api.url, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: alice.deviceId });
    await subscribed();
    const written = await record(alice.deviceId, '3.25');
    expect(written.errors).toBeUndefined();
    const [result] = await sub.until(1);
    expect(result?.errors).toBeUndefined();
    const event = (result?.data as any).eventRecorded;
    expect(event).toMatchObject({ consumption: '3.25', unit: 'L', device: { id: alice.deviceId, name: 'Alice valve' } });
    // The nested read sees the committed reading: the device's latest is this one.
    expect(event.device.latestEvent.id).toBe(event.id);
    expect(event.device.owner.username).toEqual(expect.any(String));
  });

  it('resolves the readings committed together in one unit of work, and a later notification in a new one', async () => {
    const dave = await newUser('Dave valve');
    const sub = subscribe(connect(api.url, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: dave.deviceId });
    await subscribed();
    const inputs = Array.from({ length: 50 }, (_, i) => ({ deviceId: dave.deviceId, consumption: `${i}.00`, unit: 'L' }));
    const statementsBefore = await api.metric('aquamind_sql_statements_total');
    expect((await api.gql(RECORD_EVENTS, { inputs })).errors).toBeUndefined();
    const batch = (await sub.until(50)).map((result) => (result.data as any).eventRecorded);
    const statements = (await api.metric('aquamind_sql_statements_total')) - statementsBefore;
    expect(batch.map((event) => event.consumption)).toEqual(inputs.map((input) => input.consumption));
    // The device, its owner and its latest reading are looked up once for the 50 readings (one statement
    // each), not once per reading (150); the write and the announcement's read take a few more.
    expect(statements).toBeLessThan(20);
    expect(new Set(batch.map((event) => event.device.latestEvent.id))).toEqual(new Set([batch.at(-1).id]));

    // A later notification sees what was committed since: the new name, its own reading as the latest.
    expect((await api.gql(UPDATE_DEVICE, { id: dave.deviceId, input: { name: 'Dave gate' } })).errors).toBeUndefined();
    await record(dave.deviceId, '99.00');
    const [later] = (await sub.until(51)).slice(50).map((result) => (result.data as any).eventRecorded);
    expect(later).toMatchObject({ consumption: '99.00', device: { name: 'Dave gate', latestEvent: { id: later.id } } });
  });

  it('delivers nothing of a mutation that rolls back', async () => {
    const sub = subscribe(connect(api.url, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: alice.deviceId });
    await subscribed();
    // The second field fails: the whole mutation, the first field's reading with it, rolls back.
    const failed = await api.gql(
      `mutation ($ok: [RecordEventInput!]!, $bad: [RecordEventInput!]!) { a: recordEvents(inputs: $ok) { count } b: recordEvents(inputs: $bad) { count } }`,
      { ok: [{ deviceId: alice.deviceId, consumption: '1.00', unit: 'L' }], bad: [{ deviceId: alice.deviceId, consumption: '-1', unit: 'L' }] },
    );
    expect(failed.errors?.length).toBeGreaterThan(0);
    await record(alice.deviceId, '7.00');
    const results = await sub.until(2, 1_500);
    expect(results.map((result) => (result.data as any)?.eventRecorded.consumption)).toEqual(['7.00']);
  });

  it("lets a USER hear only their own devices' readings", async () => {
    const sub = subscribe(connect(api.url, `Bearer ${bob.token}`), 'subscription { eventRecorded { device { id } consumption } }');
    await subscribed();
    await record(alice.deviceId, '11.00');
    await record(bob.deviceId, '12.00');
    const results = await sub.until(2, 1_500);
    expect(results.map((result) => (result.data as any)?.eventRecorded)).toEqual([{ device: { id: bob.deviceId }, consumption: '12.00' }]);
  });

  it("refuses a device the caller may not see, and a key without events:read", async () => {
    const other = subscribe(connect(api.url, `Bearer ${bob.token}`), EVENT_RECORDED, { deviceId: alice.deviceId });
    await other.until(1);
    expect(other.results[0]?.errors?.[0]?.extensions?.code ?? (other.failure() as any)?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const key = await api.gql('mutation { createApiKey(input: { name: "no events", scopes: ["devices:read"] }) { secret } }', {}, { authorization: `Bearer ${alice.token}` });
    const keyed = subscribe(connect(api.url, `Bearer ${key.data!.createApiKey.secret}`), EVENT_RECORDED);
    await keyed.until(1);
    expect(keyed.results[0]?.errors?.[0]?.extensions?.code ?? (keyed.failure() as any)?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('closes a socket without acceptable credentials with 4403, and runs no query over the socket', async () => {
    for (const authorization of [undefined, 'Bearer forged']) {
      const sub = subscribe(connect(api.url, authorization), EVENT_RECORDED);
      await sub.until(1);
      expect((sub.failure() as { code?: number }).code).toBe(4403);
    }
    const query = subscribe(connect(api.url, `Bearer ${alice.token}`), '{ me { id } }');
    await query.until(1);
    expect((query.failure() as any)?.[0]?.message ?? query.results[0]?.errors?.[0]?.message).toMatch(/Only subscriptions/);
  });

  it('is heard on another instance on the same database', async () => {
    const other = await buildApp({ orm: api.db.orm, logger: pino({ level: 'silent' }), tokens: api.tokens, settings: { ...api.db.config, exposure: { introspection: true, graphiql: false, schemaHints: true }, dataloaders: true } });
    await other.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = other.server.address() as { port: number };
      const sub = subscribe(connect(`http://127.0.0.1:${port}`, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: bob.deviceId });
      await subscribed();
      await record(bob.deviceId, '21.00');
      const [result] = await sub.until(1);
      expect((result?.data as any)?.eventRecorded.consumption).toBe('21.00');
    } finally {
      for (const client of clients.splice(0)) await client.dispose();
      await other.close();
    }
  });

  it('listens where DATABASE_LISTEN_URL says', async () => {
    // Another database on the same server stands for the direct connection a pooled DATABASE_URL needs beside it.
    const elsewhere = new URL(api.db.url);
    elsewhere.pathname = '/postgres';
    const listenersThere = async () =>
      Number(
        (
          await api.db.sql<{ n: string }>(
            "select count(*) as n from pg_stat_activity where application_name = 'aquamind-listener' and datname = 'postgres'",
          )
        )[0]!.n,
      );
    const before = await listenersThere();
    const other = await buildApp({
      orm: api.db.orm,
      logger: pino({ level: 'silent' }),
      tokens: api.tokens,
      settings: { ...api.db.config, databaseListenUrl: elsewhere.toString(), exposure: { introspection: true, graphiql: false, schemaHints: true }, dataloaders: true },
    });
    try {
      let after = before;
      for (let waited = 0; after === before && waited < 5_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        after = await listenersThere();
      }
      expect(after).toBe(before + 1);
    } finally {
      await other.close();
    }
  });

  it('takes no new socket while the server shuts down', async () => {
    const other = await buildApp({ orm: api.db.orm, logger: pino({ level: 'silent' }), tokens: api.tokens, settings: { ...api.db.config, exposure: { introspection: true, graphiql: false, schemaHints: true }, dataloaders: true } });
    await other.listen({ host: '127.0.0.1', port: 0 });
    const { port } = other.server.address() as { port: number };
    const sub = subscribe(connect(`http://127.0.0.1:${port}`, `Bearer ${api.admin!.token}`), EVENT_RECORDED);
    await subscribed();
    const closing = other.close();
    const late = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const outcome = await new Promise<number | string>((resolve) => {
      late.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 'no status'));
      late.on('error', () => resolve('refused'));
      late.on('open', () => resolve('open'));
    });
    await closing;
    late.terminate();
    expect(outcome).toBe(503);
    expect(sub.completed()).toBe(true);
  });

  it('delivers a recordEvents of 10,000 readings whole and in order', async () => {
    const sub = subscribe(connect(api.url, `Bearer ${api.admin!.token}`), 'subscription ($deviceId: ID) { eventRecorded(deviceId: $deviceId) { id consumption } }', {
      deviceId: bob.deviceId,
    });
    await subscribed();
    const inputs = Array.from({ length: 10_000 }, (_, i) => ({ deviceId: bob.deviceId, consumption: `${i}.00`, unit: 'L' }));
    const written = await api.gql(RECORD_EVENTS, { inputs });
    expect(written.errors).toBeUndefined();
    const results = await sub.until(10_000, 30_000);
    expect(results.map((result) => (result.data as any).eventRecorded.consumption)).toEqual(inputs.map((input) => input.consumption));
  }, 60_000);
});

describe('a subscriber that does not read its socket', () => {
  it('is closed with 4420 once readings pile up for it, counted, while another keeps up', async () => {
    const dropped = async () => Number(/aquamind_subscriptions_dropped_total\{reason="slow"\} (\d+)/.exec(await (await fetch(`${api.url}/metrics`)).text())?.[1] ?? 0);
    const before = await dropped();
    // Readings of a device with a long description, which the slow client asks for 20 times in each
    // (10 KB a message): the socket's buffers fill after a few hundred, and the rest wait in the feed.
    const erin = await newUser('Erin valve');
    expect((await api.gql(UPDATE_DEVICE, { id: erin.deviceId, input: { description: 'x'.repeat(500) } })).errors).toBeUndefined();
    const descriptions = Array.from({ length: 20 }, (_, i) => `d${i}: description`).join(' ');
    // A raw graphql-ws client that stops reading once subscribed.
    const slow = new WebSocket(`${api.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => slow.on('close', (code) => resolve(code)));
    await new Promise((resolve) => slow.once('open', resolve));
    slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${api.admin!.token}` } }));
    await new Promise((resolve) => slow.once('message', resolve));
    slow.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { eventRecorded { id consumption unit device { id name ${descriptions} } } }` } }));
    await subscribed();
    (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    const keeping = subscribe(connect(api.url, `Bearer ${api.admin!.token}`), 'subscription ($deviceId: ID) { eventRecorded(deviceId: $deviceId) { consumption } }', { deviceId: erin.deviceId });
    await subscribed();
    for (let batch = 0; batch < 3; batch++) {
      const inputs = Array.from({ length: 10_000 }, (_, i) => ({ deviceId: erin.deviceId, consumption: `${batch * 10_000 + i}.00`, unit: 'L' }));
      expect((await api.gql(RECORD_EVENTS, { inputs })).errors).toBeUndefined();
    }
    for (let waited = 0; (await dropped()) === before && waited < 20_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await dropped()).toBe(before + 1);
    // Reading again, it finds what was sent, then the close frame and its code.
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(4420);
    const results = await keeping.until(30_000, 60_000);
    expect(results.length).toBe(30_000);
    expect(results.at(-1)?.data).toEqual({ eventRecorded: { consumption: '29999.00' } });
  }, 120_000);
});

describe('the listening connection lost', () => {
  it('catches its subscribers up: readings committed while it was down are delivered, once, in order', async () => {
    const sub = subscribe(connect(api.url, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: alice.deviceId });
    await subscribed();
    await record(alice.deviceId, '40.00');
    await sub.until(1);
    const reconnects = await api.metric('aquamind_listener_reconnects_total');
    // The listening connection is killed again and again for a while, readings recorded meanwhile.
    const kill = () =>
      api.db.sql("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'aquamind-listener' and datname = current_database()");
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await kill();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    for (const consumption of ['41.00', '42.00', '43.00']) {
      expect((await record(alice.deviceId, consumption)).errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    killing = false;
    await killer;
    expect((await record(alice.deviceId, '44.00')).errors).toBeUndefined();
    // The listener may be pausing before it tries again (at most 2 s), or giving up a connection attempt that hangs (5 s).
    const results = await sub.until(5, 20_000);
    const received = results.map((result) => result.errors ?? (result.data as any).eventRecorded.consumption);
    const expected = ['40.00', '41.00', '42.00', '43.00', '44.00'];
    // What the feed did, should this fail: the listener's drops and catch-ups.
    if (JSON.stringify(received) !== JSON.stringify(expected)) {
      process.stderr.write(`${logs.filter((line) => /listen|missed|deliver/.test(String(line.msg))).map((line) => JSON.stringify(line)).join('\n')}\n`);
    }
    expect(received).toEqual(expected);
    expect(sub.completed()).toBe(false);
    expect(await api.metric('aquamind_listener_reconnects_total')).toBeGreaterThan(reconnects);
    // Nothing comes twice.
    await sub.until(6, 1_000);
    expect(results).toHaveLength(5);
  }, 45_000);

  it('catches up only what was missed, however much was delivered just before', async () => {
    const sub = subscribe(connect(api.url, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: bob.deviceId });
    await subscribed();
    // More readings than a catch-up may deliver (50,000), all heard, just before the connection drops.
    for (let batch = 0; batch < 6; batch += 1) {
      const inputs = Array.from({ length: 9_000 }, (_, i) => ({ deviceId: alice.deviceId, consumption: `${i}.00`, unit: 'L' }));
      expect((await api.gql(RECORD_EVENTS, { inputs })).errors).toBeUndefined();
    }
    const reconnects = await api.metric('aquamind_listener_reconnects_total');
    await api.db.sql("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'aquamind-listener' and datname = current_database()");
    await record(bob.deviceId, '7.00');
    const results = await sub.until(1, 10_000);
    expect(results.map((result) => result.errors ?? (result.data as any).eventRecorded.consumption)).toEqual(['7.00']);
    expect(sub.completed()).toBe(false);
    expect(await api.metric('aquamind_listener_reconnects_total')).toBeGreaterThan(reconnects);
  }, 60_000);
});

describe('the listening connection lost while more was written than a catch-up delivers', () => {
  it('ends its subscriptions with RESYNC, counted, and listens on for new ones', async () => {
    // A second app whose listener goes through a proxy (DATABASE_LISTEN_URL), cut while readings are written.
    const proxy = await pgProxy(api.db.url);
    const other = await buildApp({
      orm: api.db.orm,
      logger: pino({ level: 'silent' }),
      tokens: api.tokens,
      settings: { ...api.db.config, databaseListenUrl: proxy.url, exposure: { introspection: true, graphiql: false, schemaHints: true }, dataloaders: true },
    });
    try {
      await other.listen({ host: '127.0.0.1', port: 0 });
      const otherUrl = `http://127.0.0.1:${(other.server.address() as { port: number }).port}`;
      const resyncs = async () => Number(/aquamind_subscriptions_dropped_total\{reason="resync"\} (\d+)/.exec(await (await fetch(`${otherUrl}/metrics`)).text())?.[1] ?? 0);
      const before = await resyncs();
      const sub = subscribe(connect(otherUrl, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: bob.deviceId });
      await subscribed();
      // Heard: the listener listens through the proxy.
      expect((await record(bob.deviceId, '1.00')).errors).toBeUndefined();
      expect(await sub.until(1)).toHaveLength(1);

      proxy.cut();
      // More readings than a catch-up may deliver (50,000), written while nothing listens.
      for (let batch = 0; batch < 6; batch += 1) {
        const inputs = Array.from({ length: 9_000 }, (_, i) => ({ deviceId: alice.deviceId, consumption: `${i}.00`, unit: 'L' }));
        expect((await api.gql(RECORD_EVENTS, { inputs })).errors).toBeUndefined();
      }
      expect((await record(bob.deviceId, '2.00')).errors).toBeUndefined();
      proxy.restore();

      // The listener is back within its longest pause (2 s); its catch-up finds too much.
      const results = await sub.until(2, 15_000);
      expect(results).toHaveLength(2);
      expect(results[1]!.errors?.map((error) => error.extensions?.code)).toEqual(['RESYNC']);
      expect(results[1]!.errors?.[0]?.message).toMatch(/page `events` from your last reading's cursor/);
      // Then the server completes it: nothing more comes.
      await sub.until(3, 5_000);
      expect(sub.completed()).toBe(true);
      expect(results).toHaveLength(2);
      expect(await resyncs()).toBe(before + 1);

      // A subscription made now hears what follows.
      const again = subscribe(connect(otherUrl, `Bearer ${api.admin!.token}`), EVENT_RECORDED, { deviceId: bob.deviceId });
      await subscribed();
      expect((await record(bob.deviceId, '3.00')).errors).toBeUndefined();
      expect((await again.until(1)).map((result) => result.errors ?? (result.data as any).eventRecorded.consumption)).toEqual(['3.00']);
    } finally {
      for (const client of clients.splice(0)) await client.dispose();
      await other.close();
      await proxy.close();
    }
  }, 60_000);
});

describe("the README's reconnect recipe", () => {
  it('loses nothing a client missed while its own socket was down', async () => {
    const carlos = await newUser('Carlos valve');
    const seen = new Map<string, string>();
    const take = (results: ExecutionResult[]) => {
      for (const result of results) {
        const event = (result.data as any).eventRecorded;
        seen.set(event.id, event.consumption);
      }
    };
    const query = 'subscription ($deviceId: ID) { eventRecorded(deviceId: $deviceId) { id consumption } }';
    const first = subscribe(connect(api.url, `Bearer ${carlos.token}`), query, { deviceId: carlos.deviceId });
    await subscribed();
    await record(carlos.deviceId, '1.00', { authorization: `Bearer ${carlos.token}` });
    take(await first.until(1));
    for (const client of clients.splice(0)) await client.dispose();

    // While the client is away.
    for (const consumption of ['2.00', '3.00', '4.00']) await record(carlos.deviceId, consumption, { authorization: `Bearer ${carlos.token}` });

    // The recipe: subscribe again first, then page `events` newest first and merge by id, until a page reaches readings already had.
    const again = subscribe(connect(api.url, `Bearer ${carlos.token}`), query, { deviceId: carlos.deviceId });
    await subscribed();
    await record(carlos.deviceId, '5.00', { authorization: `Bearer ${carlos.token}` });
    const known = new Set(seen.keys());
    for (let after: string | null = null; ; ) {
      const page: { data?: any } = await api.gql(
        'query ($deviceId: ID, $after: String) { events(deviceId: $deviceId, first: 2, after: $after) { edges { node { id consumption } } pageInfo { hasNextPage endCursor } } }',
        { deviceId: carlos.deviceId, after },
        { authorization: `Bearer ${carlos.token}` },
      );
      const { edges, pageInfo } = page.data.events as { edges: Array<{ node: { id: string; consumption: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
      for (const { node } of edges) seen.set(node.id, node.consumption);
      if (!pageInfo.hasNextPage || edges.some(({ node }) => known.has(node.id))) break;
      after = pageInfo.endCursor;
    }
    take(await again.until(1));
    expect([...seen.values()].sort()).toEqual(['1.00', '2.00', '3.00', '4.00', '5.00']);
  }, 30_000);
});

describe('metrics of subscriptions', () => {
  it('count sockets, subscriptions and deliveries, and time each delivery from its write', async () => {
    const before = { deliveries: await api.metric('aquamind_subscription_deliveries_total'), timed: await api.metric('aquamind_subscription_delivery_seconds_count') };
    const sub = subscribe(connect(api.url, `Bearer ${alice.token}`), 'subscription { eventRecorded { id } }');
    await subscribed();
    expect(await api.metric('aquamind_subscription_sockets')).toBe(1);
    expect(await api.metric('aquamind_subscriptions')).toBe(1);
    await api.gql(RECORD_EVENTS, { inputs: [1, 2, 3].map((n) => ({ deviceId: alice.deviceId, consumption: `${n}.00`, unit: 'L' })) });
    await sub.until(3);
    expect(await api.metric('aquamind_subscription_deliveries_total')).toBe(before.deliveries + 3);
    expect(await api.metric('aquamind_subscription_delivery_seconds_count')).toBe(before.timed + 3);
    for (const client of clients.splice(0)) await client.dispose();
    for (let waited = 0; (await api.metric('aquamind_subscription_sockets')) > 0 && waited < 2_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await api.metric('aquamind_subscription_sockets')).toBe(0);
    expect(await api.metric('aquamind_subscriptions')).toBe(0);
  });
});

describe('the bounds of a socket', () => {
  it('refuses an 11th socket of one caller with 4429, and a 21st subscription on one socket with an error', async () => {
    const dana = await newUser('Dana valve');
    const closes: number[] = [];
    for (let i = 0; i < 11; i++) {
      connect(api.url, `Bearer ${dana.token}`, (code) => closes.push(code));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (let waited = 0; closes.length === 0 && waited < 3_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closes).toEqual([4429]);

    const one = connect(api.url, `Bearer ${bob.token}`);
    const subs = Array.from({ length: 21 }, () => subscribe(one, 'subscription { eventRecorded { id } }'));
    await subs[20]!.until(1, 3_000);
    expect((subs[20]!.failure() as any)?.[0]?.message).toMatch(/At most 20 subscriptions/);
    expect(subs.slice(0, 20).map((sub) => sub.failure())).toEqual(Array.from({ length: 20 }, () => undefined));
  });

  it('closes a socket whose client sends no connection_init in time, and one sending a message over 64 KiB', async () => {
    const silent = new WebSocket(`${api.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const silentClosed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    expect(await silentClosed).toBe(4408);

    const big = new WebSocket(`${api.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    big.on('error', () => undefined);
    const bigClosed = new Promise<number>((resolve) => big.on('close', (code) => resolve(code)));
    await new Promise((resolve) => big.once('open', resolve));
    big.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${bob.token}`, padding: 'x'.repeat(70 * 1024) } }));
    expect(await bigClosed).toBe(1009);
    // The server is still there.
    expect((await api.gql('{ me { id } }')).errors).toBeUndefined();
  }, 15_000);
});

describe('authorization while subscribed', () => {
  it('cuts off a user deactivated, and a key revoked, within seconds: socket closed with 4403, nothing more heard', async () => {
    const carol = await newUser('Carol valve');
    const key = await api.gql('mutation { createApiKey(input: { name: "feed", scopes: ["events:read"] }) { secret apiKey { id } } }', {}, { authorization: `Bearer ${carol.token}` });
    const closes: Record<string, number> = {};
    const open = (label: string, authorization: string) =>
      subscribe(connect(api.url, authorization, (code) => (closes[label] = code)), 'subscription { eventRecorded { consumption } }');
    const byKey = open('key', `Bearer ${key.data!.createApiKey.secret}`);
    await subscribed();
    await record(carol.deviceId, '1.00');
    await byKey.until(1);
    expect(byKey.results.map((result) => (result.data as any)?.eventRecorded.consumption)).toEqual(['1.00']);

    expect((await api.gql('mutation ($id: ID!) { revokeApiKey(id: $id) { apiKey { id } } }', { id: key.data!.createApiKey.apiKey.id })).errors).toBeUndefined();
    for (const deadline = Date.now() + 8_000; closes.key === undefined && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closes.key).toBe(4403);

    const byToken = open('token', `Bearer ${carol.token}`);
    await subscribed();
    expect((await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { id } } }', { id: carol.id })).errors).toBeUndefined();
    for (const deadline = Date.now() + 8_000; closes.token === undefined && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closes.token).toBe(4403);
    expect(byToken.results).toEqual([]);
    // Each subscription's line says why it ended, and the drop is counted as such.
    const callers = [`apiKey:${key.data!.createApiKey.apiKey.id}`, `user:${carol.id}`];
    const ended = logs.filter((line) => line.msg === 'subscription' && callers.includes(line.caller as string));
    expect(ended.map((line) => line.endedBy)).toEqual(['forbidden', 'forbidden']);
    expect(await api.metric('aquamind_subscriptions_dropped_total{reason="forbidden"}')).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

describe('shutdown with subscribers connected', () => {
  it('ends their subscriptions, closes their sockets with 1001, and exits 0', async () => {
    const db = await createTestDatabase();
    const api2 = await startApi({ DATABASE_URL: db.url, SEED_ON_START: 'true', AQUAMIND_ADMIN_PASSWORD: 'Shutdown-Passw0rd', LOG_LEVEL: 'info' });
    try {
      const login = await fetch(`${api2.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { login(input: { username: "admin", password: "Shutdown-Passw0rd" }) { token } }' }),
      });
      const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
      const closes: number[] = [];
      const subs = Array.from({ length: 3 }, () => subscribe(connect(api2.baseUrl, `Bearer ${token}`, (code) => closes.push(code)), 'subscription { eventRecorded { id } }'));
      await subscribed();
      const exitCode = await api2.stop('SIGTERM');
      expect(exitCode).toBe(0);
      for (const sub of subs) {
        await sub.until(1, 2_000);
        expect(sub.completed()).toBe(true);
      }
      expect(closes).toEqual([1001, 1001, 1001]);
      expect(api2.output()).toContain('stopped');
    } finally {
      await db.drop();
    }
  }, 60_000);
});
