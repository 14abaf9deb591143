import { FlushMode } from '@mikro-orm/core';
import type { Caller } from '../src/auth/caller';
import { startDeadline } from '../src/db/deadline';
import { statementOwner } from '../src/db/fork-context';
import { deviceRecordsByIds } from '../src/services/device.reads';
import { OperationTimeoutError } from '../src/shared/errors';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
const lines: Array<Record<string, unknown>> = [];
let devices: Array<{ ownerId: string; deviceId: string }>;

beforeAll(async () => {
  api = await createTestApi({ onLog: (line) => lines.push(line) });
  devices = [];
  for (let i = 0; i < 4; i++) devices.push(await createOwnerAndDevice(api, `Shared lookup valve ${i}`));
});
afterAll(async () => api.close());

const DEVICE = 'query Device($id: ID!) { device(id: $id) { id name owner { id } } }';

/** A read-only context of a fresh fork, as an operation's, for `caller`. */
function contextOf(caller: Caller) {
  return { em: api.db.orm.em.fork({ clear: true, useContext: false, flushMode: FlushMode.COMMIT }), caller };
}

describe('point lookups shared between operations', () => {
  it('sends the lookups of concurrent operations of one caller as one statement, counted in each operation', async () => {
    lines.length = 0;
    let body: any;
    const statements = await api.statements(async () => {
      ({ body } = await api.batch(devices.map(({ deviceId }) => ({ query: DEVICE, variables: { id: deviceId } }))));
    });
    // Each operation its own answer: its device with its owner.
    expect(body.map((result: any) => result.data.device)).toEqual(
      devices.map(({ deviceId, ownerId }, i) => ({ id: deviceId, name: `Shared lookup valve ${i}`, owner: { id: ownerId } })),
    );
    expect(statements).toHaveLength(1);
    const operations = lines.filter((line) => line.msg === 'graphql operation');
    expect(operations.map((line) => line.statements)).toEqual(devices.map(() => 1));
  });

  it('shares one statement between callers, each operation getting only the rows its own caller may see of its own ids', async () => {
    const [mine, theirs] = devices;
    const owner = contextOf({ kind: 'user', userId: mine!.ownerId });
    const other = contextOf({ kind: 'user', userId: theirs!.ownerId });
    const again = contextOf({ kind: 'user', userId: mine!.ownerId });
    const admin = contextOf({ kind: 'user', userId: api.admin!.id });
    // An API key of the admin acts for its owner within its scopes: its own devices only, none here.
    const key = contextOf({ kind: 'apiKey', keyId: '00000000-0000-7000-8000-000000000001', userId: api.admin!.id, scopes: ['devices:read'] });
    const ids = [mine!.deviceId, theirs!.deviceId];
    let results: Array<Awaited<ReturnType<typeof deviceRecordsByIds>>> = [];
    const statements = await api.statements(async () => {
      results = await Promise.all([
        deviceRecordsByIds(owner, ids),
        deviceRecordsByIds(other, ids),
        deviceRecordsByIds(again, [mine!.deviceId]),
        deviceRecordsByIds(admin, ids),
        deviceRecordsByIds(key, ids),
      ]);
    });
    const [asOwner, asOther, asAgain, asAdmin, asKey] = results.map((result) => result.devices.map((device) => device?.id ?? null));
    expect(asOwner).toEqual([mine!.deviceId, null]);
    expect(asOther).toEqual([null, theirs!.deviceId]);
    expect(asAgain).toEqual([mine!.deviceId]);
    expect(asAdmin).toEqual(ids);
    expect(asKey).toEqual([null, null]);
    // The owners come with the devices, each only with a device its caller sees.
    expect(results[0]!.owners.map((user) => user.id)).toEqual([mine!.ownerId]);
    expect(results[1]!.owners.map((user) => user.id)).toEqual([theirs!.ownerId]);
    expect(statements).toHaveLength(1);
  });

  it('shares nothing in the no-loader mode: one statement per key, as that mode measures', async () => {
    const alone = await createTestApi({ dataloaders: false });
    try {
      const [first, second] = [await createOwnerAndDevice(alone), await createOwnerAndDevice(alone)];
      let data: any;
      const statements = await alone.statements(async () => {
        ({ data } = await alone.gql('query ($a: ID!, $b: ID!) { a: device(id: $a) { id } b: device(id: $b) { id } }', { a: first.deviceId, b: second.deviceId }));
      });
      expect([data.a.id, data.b.id]).toEqual([first.deviceId, second.deviceId]);
      expect(statements).toHaveLength(2);
    } finally {
      await alone.close();
    }
  });

  it('leaves out an operation that runs out of time before the shared statement is sent, and answers the others', async () => {
    const admin: Caller = { kind: 'user', userId: api.admin!.id };
    const late = contextOf(admin);
    const inTime = contextOf(admin);
    const ids = [devices[0]!.deviceId];
    let results: Array<PromiseSettledResult<Awaited<ReturnType<typeof deviceRecordsByIds>>>> = [];
    const statements = await api.statements(async () => {
      const lookups = [deviceRecordsByIds(late, ids), deviceRecordsByIds(inTime, ids)];
      // Both are waiting for the shared statement; the first one's time is now up.
      startDeadline(statementOwner(late.em), -1);
      results = await Promise.allSettled(lookups);
    });
    const [lateResult, inTimeResult] = results;
    expect(lateResult!.status === 'rejected' && lateResult!.reason).toBeInstanceOf(OperationTimeoutError);
    expect(inTimeResult!.status === 'fulfilled' && inTimeResult!.value.devices[0]?.id).toBe(devices[0]!.deviceId);
    expect(statements).toHaveLength(1);
  });

  it('sends more than a thousand ids as more than one statement, each lookup answered', async () => {
    const admin: Caller = { kind: 'user', userId: api.admin!.id };
    const made = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const first = [...made(600), devices[0]!.deviceId];
    const second = [...made(700).slice(100), devices[1]!.deviceId];
    let results: Array<Awaited<ReturnType<typeof deviceRecordsByIds>>> = [];
    const statements = await api.statements(async () => {
      results = await Promise.all([deviceRecordsByIds(contextOf(admin), first), deviceRecordsByIds(contextOf(admin), second)]);
    });
    expect(statements).toHaveLength(2);
    expect(results[0]!.devices.filter(Boolean).map((device) => device!.id)).toEqual([devices[0]!.deviceId]);
    expect(results[1]!.devices.filter(Boolean).map((device) => device!.id)).toEqual([devices[1]!.deviceId]);
  });
});
