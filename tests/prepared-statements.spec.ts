import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

const DEVICE = 'query Device($id: ID!) { device(id: $id) { id name owner { id } } }';

/**
 * The statements prepared on the API's one pooled connection (DB_POOL_MAX=1: every statement of the
 * API and of this check goes through it), after a point lookup through the API.
 */
async function preparedAfterALookup(api: TestApi): Promise<string[]> {
  const { deviceId } = await createOwnerAndDevice(api);
  const { data, errors } = await api.gql(DEVICE, { id: deviceId });
  expect(errors).toBeUndefined();
  expect(data!.device.id).toBe(deviceId);
  const rows = await api.db.orm.em.getConnection().execute<Array<{ name: string }>>('select name from pg_prepared_statements order by name');
  return rows.map((row) => row.name);
}

describe('DB_PREPARED_STATEMENTS', () => {
  it('prepares the lookups by id once per connection by default', async () => {
    const api = await createTestApi({ env: { DB_POOL_MAX: '1' } });
    try {
      expect(await preparedAfterALookup(api)).toContain('devices-with-owners-by-id');
    } finally {
      await api.close();
    }
  });

  it('sends the same statements unnamed when false: nothing is prepared on the connection', async () => {
    const api = await createTestApi({ env: { DB_POOL_MAX: '1', DB_PREPARED_STATEMENTS: 'false' } });
    try {
      expect(await preparedAfterALookup(api)).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
