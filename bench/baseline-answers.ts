// What the baseline server answers, and how: the fewest statements plain `pg` needs for S1 and S2, and
// the JSON the API gives for them, built by hand. The baseline server (baseline.ts) runs them for every
// request; the floor server (floor.ts) once, at start-up.
import { Pool, type QueryConfig, type QueryResultRow } from 'pg';
import { groupBy } from '../src/shared/group-by';

/** Same pool size as the API's default (DB_POOL_MAX). */
const POOL_MAX = 10;
const MONTHS = 12;
const EVENTS_PER_DEVICE = 10;
const MAX_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Named statements: PostgreSQL parses and plans each once per connection, as any lean pg client would.
const DEVICE_SQL = {
  name: 'baseline-node',
  text: 'select n.id, n.name, u.username from devices n join users u on u.id = n.owner_id where n.id = $1',
};

// The page of devices with owners and each device's 10 newest readings in one statement. The newest of those
// is also `latestEvent`: both lists are "newest first, (occurred_at, id) descending" with no filter.
const PAGE_SQL = {
  name: 'baseline-page',
  text: `select n.id, n.name, n.owner_id, u.username, e.id as event_id, e.occurred_at, e.consumption, e.unit
         from (select id, name, owner_id from devices order by id limit $1) n
         join users u on u.id = n.owner_id
         left join lateral (
           select id, occurred_at, consumption, unit from events
           where device_id = n.id
           order by occurred_at desc, id desc
           limit ${EVENTS_PER_DEVICE}
         ) e on true
         order by n.id, e.occurred_at desc, e.id desc`,
};

// Monthly sums of the same page of devices, one row per device, month and unit (units are never added up). It
// names the page itself rather than taking the ids from PAGE_SQL, so both statements run at once. The page
// goes in as an array so that the events are read through the (device_id, occurred_at) index whatever plan
// the prepared statement settles on; a semi-join on the page lets the generic plan scan every event.
const MONTHLY_SQL = {
  name: 'baseline-monthly',
  text: `select device_id, to_char(month, 'YYYY-MM') as month, unit, total::text as total
         from (
           select device_id, date_trunc('month', occurred_at at time zone 'UTC') as month, unit, sum(consumption) as total
           from events
           where device_id = any(array(select id from devices order by id limit $1)) and occurred_at >= $2
           group by 1, 2, 3
         ) sums
         order by unit`,
};

interface PageRow {
  id: string;
  name: string;
  owner_id: string;
  username: string;
  event_id: string | null;
  occurred_at: Date | null;
  consumption: string | null;
  unit: string | null;
}

export interface EventJson {
  id: string;
  occurredAt: string;
  consumption: string;
  unit: string;
}

export interface DeviceJson {
  id: string;
  name: string;
  owner: { id: string; username: string };
  latestEvent: EventJson | null;
  events: { edges: Array<{ node: EventJson & { device: { id: string; name: string } } }> };
  consumption: BucketJson[];
}

/** S1's device. */
export interface DeviceLookupJson {
  id: string;
  name: string;
  owner: { username: string };
}

export interface BucketJson {
  start: string;
  total: string;
  unit: string | null;
}

/** The S1 and S2 answers of the data at `databaseUrl`, read afresh at each call. */
export function baselineAnswers(databaseUrl: string, applicationName: string) {
  /** What the baseline has done: the same /metrics names as the API, for what it has. */
  const stats = { statements: 0, used: 0, peakUsed: 0, poolMax: POOL_MAX };

  const pool = new Pool({ connectionString: databaseUrl, max: POOL_MAX, application_name: applicationName });

  async function query<Row extends QueryResultRow>(statement: QueryConfig): Promise<Row[]> {
    stats.statements++;
    const client = await pool.connect();
    stats.used++;
    stats.peakUsed = Math.max(stats.peakUsed, stats.used);
    try {
      return (await client.query<Row>(statement)).rows;
    } finally {
      stats.used--;
      client.release();
    }
  }

  /** S1: `{ device(id) { id name owner { username } } }`, one statement. */
  async function deviceById(id: unknown): Promise<{ device: DeviceLookupJson | null }> {
    if (typeof id !== 'string' || !UUID.test(id)) throw new BadRequest('id must be a UUID');
    const [row] = await query<{ id: string; name: string; username: string }>({ ...DEVICE_SQL, values: [id.toLowerCase()] });
    return { device: row ? { id: row.id, name: row.name, owner: { username: row.username } } : null };
  }

  /** S2: the dashboard page, two statements whatever its size. */
  async function dashboard(first: unknown): Promise<{ devices: { edges: Array<{ node: DeviceJson }> } }> {
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
      throw new BadRequest(`first must be from 0 to ${MAX_PAGE}`);
    }
    const months = lastMonths(new Date());
    const [pageRows, monthlyRows] = await Promise.all([
      query<PageRow>({ ...PAGE_SQL, values: [first] }),
      query<{ device_id: string; month: string; unit: string; total: string }>({ ...MONTHLY_SQL, values: [first, months[0]!.start] }),
    ]);

    const sums = groupBy(monthlyRows, (row) => `${row.device_id} ${row.month}`);
    // Empty months count 0 with no unit; a month with readings in several units has one bucket per unit.
    const consumptionOf = (deviceId: string): BucketJson[] =>
      months.flatMap(({ key, start }): BucketJson[] =>
        sums.get(`${deviceId} ${key}`)?.map(({ total, unit }) => ({ start, total, unit })) ?? [{ start, total: '0.00', unit: null }],
      );
    const devices = new Map<string, DeviceJson>();
    for (const row of pageRows) {
      let device = devices.get(row.id);
      if (!device) {
        device = {
          id: row.id,
          name: row.name,
          owner: { id: row.owner_id, username: row.username },
          latestEvent: null,
          events: { edges: [] },
          consumption: consumptionOf(row.id),
        };
        devices.set(row.id, device);
      }
      if (row.event_id !== null) {
        const event = { id: row.event_id, occurredAt: row.occurred_at!.toISOString(), consumption: row.consumption!, unit: row.unit! };
        device.latestEvent ??= event;
        device.events.edges.push({ node: { ...event, device: { id: device.id, name: device.name } } });
      }
    }
    return { devices: { edges: [...devices.values()].map((device) => ({ node: device })) } };
  }

  return { deviceById, dashboard, stats, close: () => pool.end() };
}

/** The last 12 UTC months, the current one included, oldest first: key `YYYY-MM` and ISO start. */
function lastMonths(now: Date): Array<{ key: string; start: string }> {
  return Array.from({ length: MONTHS }, (_, i) => {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (MONTHS - 1 - i), 1)).toISOString();
    return { key: start.slice(0, 7), start };
  });
}

/** A request the baseline refuses (HTTP 400). */
export class BadRequest extends Error {}

