import { setTimeout as sleep } from 'node:timers/promises';
import { createOwnerAndDevice } from './support/fixtures';
import { UPDATE_DEVICE } from './support/documents';
import { startReplication, type Replication } from './support/replication';
import type { Tokens } from '../src/auth/tokens';
import { createTestApi, type TestApi } from './support/test-api';

const DEVICE = 'query Device($id: ID!) { device(id: $id) { id name owner { id } } }';
const DEVICES = 'query Devices { devices(first: 20) { edges { node { id name } } } }';
/** The device lookup's prepared statement, as the servers log it (`execute devices-with-owners-by-id…`). */
const DEVICE_LOOKUP = /execute devices-with-owners-by-id/;

let replication: Replication;

beforeAll(async () => {
  replication = await startReplication();
}, 120_000);

afterAll(async () => {
  await replication?.close();
});

/**
 * The API on the replicated database: queries may read from the replica, checked every 50 ms. A lag
 * limit of 1 s unless `env` says otherwise: an instance takes reads to the replicas once it has heard
 * the others' commits for about that long.
 */
function replicatedApi(env: Record<string, string> = {}, options: { onLog?: (line: Record<string, unknown>) => void; tokens?: Tokens } = {}): Promise<TestApi> {
  return createTestApi({
    databaseUrl: replication.primary.url,
    env: { DATABASE_REPLICA_URLS: replication.replica.url, DB_REPLICA_CHECK_MS: '50', DB_REPLICA_MAX_LAG_MS: '1000', ...env },
    ...options,
  });
}

/** How many statements in `log` since `from` match `pattern`. */
function countSince(log: readonly string[], from: number, pattern: RegExp): number {
  return log.slice(from).filter((line) => pattern.test(line)).length;
}

/** Waits until `condition` holds, up to 15 s. */
async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (const started = Date.now(); !(await condition()); await sleep(25)) {
    if (Date.now() - started > 15_000) throw new Error(`timed out waiting for ${what}`);
  }
}

/** A user of their own with a device, and their token: a caller whose writes are theirs alone. */
async function userWithDevice(api: TestApi, name: string): Promise<{ deviceId: string; as: Record<string, string> }> {
  const { ownerId, deviceId } = await createOwnerAndDevice(api, name);
  const { token } = await api.tokens.issue(ownerId);
  return { deviceId, as: { authorization: `Bearer ${token}` } };
}

/** Whether the API's last check found the replica taking reads (its metric). */
async function replicaUsable(api: TestApi): Promise<boolean> {
  return (await api.metric('aquamind_db_replica_usable{replica="replica-1"}')) === 1;
}

/**
 * Waits until the replica has replayed every write so far and each API sends its admin's queries
 * there: once a check has seen the admin's own writes (the fixtures) replayed, as the replica's log shows.
 */
async function readingFromReplica(...apis: TestApi[]): Promise<void> {
  await replication.caughtUp();
  for (const api of apis) {
    await until(async () => {
      const from = replication.replica.statements.length;
      expect((await api.gql('{ me { id } }')).errors).toBeUndefined();
      // The replica's log reaches this process through the servers' process.
      await sleep(50);
      return replication.replica.statements.length > from;
    }, "the admin's queries to read from the replica");
  }
}

/** Runs `work` with the replica's replay paused: it receives the primary's changes and applies none. */
async function withReplayPaused(work: () => Promise<void>): Promise<void> {
  await replication.replica.sql('select pg_wal_replay_pause()');
  try {
    await work();
  } finally {
    await replication.replica.sql('select pg_wal_replay_resume()');
  }
}

describe('reads on a streaming replica (DATABASE_REPLICA_URLS)', () => {
  it('streams from the primary', async () => {
    const rows = await replication.primary.sql<{ state: string }>("select state from pg_stat_replication where application_name = 'aquamind_replica'");
    expect(rows).toEqual([{ state: 'streaming' }]);
  });

  it("sends queries' reads to the replica, as the replica's own log shows, and a mutation to the primary", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const api = await replicatedApi({}, { onLog: (line) => lines.push(line) });
    try {
      const { deviceId } = await createOwnerAndDevice(api, 'Replicated valve');
      await readingFromReplica(api);
      const [onPrimary, onReplica] = [replication.primary.statements.length, replication.replica.statements.length];

      for (let i = 0; i < 5; i++) {
        const { data, errors } = await api.gql(DEVICE, { id: deviceId });
        expect(errors).toBeUndefined();
        expect(data!.device.name).toBe('Replicated valve');
      }
      const list = await api.gql(DEVICES);
      expect(list.errors).toBeUndefined();

      // Counted by the servers themselves: the lookups ran on the replica, none on the primary.
      await until(() => countSince(replication.replica.statements, onReplica, DEVICE_LOOKUP) >= 5, "the replica's log");
      expect(countSince(replication.primary.statements, onPrimary, DEVICE_LOOKUP)).toBe(0);
      // The operation's log line and the metrics say so too.
      const queries = lines.filter((line) => line.msg === 'graphql operation' && (line.operation as { type: string }).type === 'query');
      expect(queries.at(-1)!.servers).toEqual({ primary: 0, 'replica-1': queries.at(-1)!.statements });
      expect(await api.metric('aquamind_sql_statements_by_server_total{server="replica-1"}')).toBeGreaterThanOrEqual(6);
      const mutation = lines.find((line) => (line.operation as { type: string } | undefined)?.type === 'mutation');
      expect(mutation!.servers).toEqual({ primary: mutation!.statements });
    } finally {
      await api.close();
    }
  });

  it("lets a caller read their own write at once while the replica's replay is paused; others read the replica's state", async () => {
    // The replica stays in use while the pause lasts: read-your-writes alone must send the writer to the primary.
    const api = await replicatedApi({ DB_REPLICA_MAX_LAG_MS: '3000' });
    try {
      const writer = await userWithDevice(api, 'Before');
      await readingFromReplica(api);
      await withReplayPaused(async () => {
        const renamed = await api.gql(UPDATE_DEVICE, { id: writer.deviceId, input: { name: 'After' } }, writer.as);
        expect(renamed.errors).toBeUndefined();
        const mine = await api.gql(DEVICE, { id: writer.deviceId }, writer.as);
        expect(mine.errors).toBeUndefined();
        expect(mine.data!.device.name).toBe('After');
        // Another caller (the admin) reads the replica, which has not replayed the rename.
        expect(await replicaUsable(api)).toBe(true);
        const theirs = await api.gql(DEVICE, { id: writer.deviceId });
        expect(theirs.data!.device.name).toBe('Before');
      });
      await replication.caughtUp();
      await until(async () => (await api.gql(DEVICE, { id: writer.deviceId })).data!.device.name === 'After', 'the others to see the rename');
    } finally {
      await api.close();
    }
  });

  it('lets a caller read their own write at once through another instance of the API', async () => {
    const first = await replicatedApi({ DB_REPLICA_MAX_LAG_MS: '3000' });
    const second = await replicatedApi({ DB_REPLICA_MAX_LAG_MS: '3000' }, { tokens: first.tokens });
    try {
      const writer = await userWithDevice(first, 'Before');
      await readingFromReplica(first, second);
      await withReplayPaused(async () => {
        const renamed = await first.gql(UPDATE_DEVICE, { id: writer.deviceId, input: { name: 'After' } }, writer.as);
        expect(renamed.errors).toBeUndefined();
        // The same caller's next query, on the other instance.
        const mine = await second.gql(DEVICE, { id: writer.deviceId }, writer.as);
        expect(mine.errors).toBeUndefined();
        expect(mine.data!.device.name).toBe('After');
        expect((await second.gql(DEVICE, { id: writer.deviceId })).data!.device.name).toBe('Before');
      });
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('leaves a replica lagging past DB_REPLICA_MAX_LAG_MS out of reads, and takes it back once it catches up', async () => {
    const api = await replicatedApi({ DB_REPLICA_MAX_LAG_MS: '300' });
    try {
      const { deviceId } = await createOwnerAndDevice(api, 'Lagged');
      await readingFromReplica(api);
      await withReplayPaused(async () => {
        // A write the API did not make: nobody's read-your-writes, only the lag can send reads to the primary.
        await replication.primary.sql('update devices set name = $1 where id = $2', ['Moved on', deviceId]);
        await until(async () => !(await replicaUsable(api)), 'the replica to be left out');
        expect(await api.metric('aquamind_db_replica_lag_seconds{replica="replica-1"}')).toBeGreaterThan(0.3);
        const read = await api.gql(DEVICE, { id: deviceId });
        expect(read.errors).toBeUndefined();
        expect(read.data!.device.name).toBe('Moved on');
      });
      await until(() => replicaUsable(api), 'the replica to take reads again');
      const onReplica = replication.replica.statements.length;
      expect((await api.gql(DEVICE, { id: deviceId })).data!.device.name).toBe('Moved on');
      await until(() => countSince(replication.replica.statements, onReplica, DEVICE_LOOKUP) >= 1, 'a read on the replica');
    } finally {
      await api.close();
    }
  });

  it('answers every request while the replica stops under load, and reads from it again once it is back', async () => {
    const api = await replicatedApi();
    try {
      const { deviceId } = await createOwnerAndDevice(api, 'Under load');
      await readingFromReplica(api);
      let running = true;
      const failures: unknown[] = [];
      let answered = 0;
      const client = async () => {
        for (let i = 0; running; i++) {
          const response = await api.gql(i % 2 === 0 ? DEVICE : DEVICES, { id: deviceId });
          if (response.status !== 200 || response.errors) failures.push(response.errors ?? response.status);
          else answered++;
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, client));
      try {
        await sleep(500);
        await replication.replica.stop();
        await until(async () => !(await replicaUsable(api)), 'the replica to be left out');
        await sleep(500);
        await replication.replica.start();
        await until(() => replicaUsable(api), 'the replica to take reads again');
        const onReplica = replication.replica.statements.length;
        await until(() => countSince(replication.replica.statements, onReplica, DEVICE_LOOKUP) >= 1, 'reads on the replica again');
      } finally {
        running = false;
        await load;
      }
      expect(failures).toEqual([]);
      expect(answered).toBeGreaterThan(100);
    } finally {
      await api.close();
    }
  });
});
