import { bucketStarts } from '../src/services/consumption.reads';
import { RECORD_EVENTS } from './support/documents';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const CONSUMPTION = `query ($id: ID!, $granularity: Granularity!, $periods: Int!) {
  device(id: $id) { consumption(granularity: $granularity, periods: $periods) { start total unit } }
}`;

const utcDay = (offsetDays: number, hour = 12) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - offsetDays, hour)).toISOString();
};

describe('Device.consumption', () => {
  it('sums per UTC day over the last N days, oldest first, empty days included', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    // Today's readings at midnight, so they are never in the future whenever the test runs.
    const recorded = await api.gql(RECORD_EVENTS, {
      inputs: [
        { deviceId, consumption: '1.10', unit: 'L', occurredAt: utcDay(0, 0) },
        { deviceId, consumption: '2.25', unit: 'L', occurredAt: utcDay(0, 0) },
        { deviceId, consumption: '10.00', unit: 'L', occurredAt: utcDay(2) },
        { deviceId, consumption: '99.99', unit: 'L', occurredAt: utcDay(3) }, // outside a 3-day window
      ],
    });
    expect(recorded.errors).toBeUndefined();
    const res = await api.gql(CONSUMPTION, { id: deviceId, granularity: 'DAY', periods: 3 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.device.consumption).toEqual([
      { start: utcDay(2, 0), total: '10.00', unit: 'L' },
      { start: utcDay(1, 0), total: '0.00', unit: null },
      { start: utcDay(0, 0), total: '3.35', unit: 'L' },
    ]);
  });

  it('sums per calendar month and year', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const now = new Date();
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth();
    const inMonth = (back: number) => new Date(Date.UTC(y, m - back, 15)).toISOString();
    const recorded = await api.gql(RECORD_EVENTS, {
      inputs: [
        // This month: the 15th, or the 1st while the 15th is still ahead.
        { deviceId, consumption: '5.00', unit: 'L', occurredAt: inMonth(0) < now.toISOString() ? inMonth(0) : new Date(Date.UTC(y, m, 1)).toISOString() },
        { deviceId, consumption: '7.50', unit: 'L', occurredAt: inMonth(1) },
        { deviceId, consumption: '0.50', unit: 'L', occurredAt: inMonth(1) },
        { deviceId, consumption: '100.00', unit: 'L', occurredAt: inMonth(12) }, // the same month last year
      ],
    });
    expect(recorded.errors).toBeUndefined();
    const months = await api.gql(CONSUMPTION, { id: deviceId, granularity: 'MONTH', periods: 12 });
    const totals = months.data!.device.consumption.map((b: any) => b.total);
    expect(months.data!.device.consumption[0].start).toBe(new Date(Date.UTC(y, m - 11, 1)).toISOString());
    expect(totals).toEqual([...Array(10).fill('0.00'), '8.00', '5.00']);

    const years = await api.gql(CONSUMPTION, { id: deviceId, granularity: 'YEAR', periods: 2 });
    // 12 months back is last calendar year; last month is this year unless it is January.
    const thisYear = (m >= 1 ? 13 : 5).toFixed(2);
    const lastYear = (100 + (m >= 1 ? 0 : 8)).toFixed(2);
    expect(years.data!.device.consumption).toEqual([
      { start: new Date(Date.UTC(y - 1, 0, 1)).toISOString(), total: lastYear, unit: 'L' },
      { start: new Date(Date.UTC(y, 0, 1)).toISOString(), total: thisYear, unit: 'L' },
    ]);
  });

  it('never adds up readings in different units', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const recorded = await api.gql(RECORD_EVENTS, {
      inputs: [
        { deviceId, consumption: '10.00', unit: 'L', occurredAt: utcDay(0, 0) },
        { deviceId, consumption: '3.00', unit: 'L/min', occurredAt: utcDay(0, 0) },
        { deviceId, consumption: '4.00', unit: 'L/min', occurredAt: utcDay(0, 0) },
      ],
    });
    expect(recorded.errors).toBeUndefined();
    const res = await api.gql(CONSUMPTION, { id: deviceId, granularity: 'DAY', periods: 2 });
    expect(res.data!.device.consumption).toEqual([
      { start: utcDay(1, 0), total: '0.00', unit: null },
      { start: utcDay(0, 0), total: '10.00', unit: 'L' },
      { start: utcDay(0, 0), total: '7.00', unit: 'L/min' },
    ]);
  });

  it('refuses a number of periods outside 1..1000', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    for (const periods of [0, 1001]) {
      const res = await api.gql(CONSUMPTION, { id: deviceId, granularity: 'DAY', periods });
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'periods' });
    }
  });

  it('computes bucket starts across month and year boundaries', () => {
    expect(bucketStarts('DAY', 3, new Date('2026-03-01T05:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-02-27T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    expect(bucketStarts('MONTH', 3, new Date('2026-01-31T23:59:59Z')).map((d) => d.toISOString())).toEqual([
      '2025-11-01T00:00:00.000Z',
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
  });
});

describe('Device.consumption in local time', () => {
  const LOCAL = `query ($id: ID!, $granularity: Granularity!, $periods: Int!, $timeZone: String) {
    device(id: $id) { consumption(granularity: $granularity, periods: $periods, timeZone: $timeZone) { start total unit } }
  }`;

  /** Today's date in `timeZone`, as `YYYY-MM-DD`. */
  const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
  /** Whole days from `day` to `today` (both `YYYY-MM-DD`). */
  const daysBetween = (day: string, today: string) => Math.round((Date.parse(today) - Date.parse(day)) / 86_400_000);

  async function series(deviceId: string, granularity: string, periods: number, timeZone: string) {
    const res = await api.gql(LOCAL, { id: deviceId, granularity, periods, timeZone });
    expect(res.errors).toBeUndefined();
    return res.data!.device.consumption as Array<{ start: string; total: string; unit: string | null }>;
  }

  it("buckets by the caller's days: in Mexico City a day starts at 06:00 UTC", async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    // Mexico City keeps UTC-6 all year. Two and one local days ago, half an hour either side of midnight.
    const today = todayIn('America/Mexico_City');
    const day = (back: number) => new Date(Date.parse(today) - back * 86_400_000).toISOString().slice(0, 10);
    const late = new Date(`${day(2)}T23:30:00-06:00`).toISOString();
    const early = new Date(`${day(1)}T00:30:00-06:00`).toISOString();
    await api.gql(RECORD_EVENTS, {
      inputs: [
        { deviceId, consumption: '4.00', unit: 'L', occurredAt: late },
        { deviceId, consumption: '6.50', unit: 'L', occurredAt: early },
      ],
    });
    expect(await series(deviceId, 'DAY', 3, 'America/Mexico_City')).toEqual([
      { start: new Date(`${day(2)}T06:00:00Z`).toISOString(), total: '4.00', unit: 'L' },
      { start: new Date(`${day(1)}T06:00:00Z`).toISOString(), total: '6.50', unit: 'L' },
      { start: new Date(`${day(0)}T06:00:00Z`).toISOString(), total: '0.00', unit: null },
    ]);
    // The same readings in UTC fall on one day.
    const utc = await series(deviceId, 'DAY', 3, 'UTC');
    expect(utc.map((bucket) => bucket.total)).toContain('10.50');
  });

  it('gives a day across a daylight-saving change its 23 or 25 hours, and every reading to its local day and month', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    // New York, 2026: clocks go forward at 02:00 on 8 March (EST, UTC-5, to EDT, UTC-4) and back at 02:00 on 1 November.
    const readings = [
      { consumption: '1.00', occurredAt: '2026-03-08T06:30:00Z' }, // 8 March 01:30 EST
      { consumption: '2.00', occurredAt: '2026-03-09T03:30:00Z' }, // 8 March 23:30 EDT
      { consumption: '4.00', occurredAt: '2026-03-09T04:10:00Z' }, // 9 March 00:10 EDT
      { consumption: '8.00', occurredAt: '2026-11-01T03:30:00Z' }, // 31 October 23:30 EDT
      { consumption: '16.00', occurredAt: '2026-11-01T04:30:00Z' }, // 1 November 00:30 EDT
      { consumption: '32.00', occurredAt: '2026-11-02T04:30:00Z' }, // 1 November 23:30 EST
      { consumption: '64.00', occurredAt: '2026-11-02T05:30:00Z' }, // 2 November 00:30 EST
    ];
    expect((await api.gql(RECORD_EVENTS, { inputs: readings.map((r) => ({ deviceId, unit: 'L', ...r })) })).errors).toBeUndefined();

    const today = todayIn('America/New_York');
    const days = await series(deviceId, 'DAY', daysBetween('2026-03-07', today) + 1, 'America/New_York');
    const at = (start: string) => days.findIndex((bucket) => bucket.start === start);
    const hours = (i: number) => (Date.parse(days[i + 1]!.start) - Date.parse(days[i]!.start)) / 3_600_000;

    const march8 = at('2026-03-08T05:00:00.000Z'); // local midnight, EST
    expect(days[march8 + 1]!.start).toBe('2026-03-09T04:00:00.000Z'); // local midnight, EDT
    expect(hours(march8)).toBe(23);
    expect([days[march8]!.total, days[march8 + 1]!.total]).toEqual(['3.00', '4.00']);

    const november1 = at('2026-11-01T04:00:00.000Z'); // local midnight, EDT
    expect(days[november1 + 1]!.start).toBe('2026-11-02T05:00:00.000Z'); // local midnight, EST
    expect(hours(november1)).toBe(25);
    expect([days[november1 - 1]!.total, days[november1]!.total, days[november1 + 1]!.total]).toEqual(['8.00', '48.00', '64.00']);
    // Every other day of the span is 24 hours and empty.
    for (let i = 0; i < days.length - 1; i++) {
      if (i !== march8 && i !== november1) expect({ i, hours: hours(i) }).toEqual({ i, hours: 24 });
    }
    expect(days.reduce((sum, bucket) => sum + Number(bucket.total), 0)).toBe(127);

    const months = await series(deviceId, 'MONTH', 12 * (Number(today.slice(0, 4)) - 2026) + Number(today.slice(5, 7)) - 2, 'America/New_York');
    const month = (start: string) => months.find((bucket) => bucket.start === start)?.total;
    expect(month('2026-03-01T05:00:00.000Z')).toBe('7.00');
    expect(month('2026-10-01T04:00:00.000Z')).toBe('8.00');
    expect(month('2026-11-01T04:00:00.000Z')).toBe('112.00');
  });

  it('refuses an unknown time zone and a bare offset, naming timeZone', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    for (const timeZone of ['Mars/Olympus_Mons', '+05:30', '']) {
      const res = await api.gql(LOCAL, { id: deviceId, granularity: 'DAY', periods: 1, timeZone });
      expect({ timeZone, extensions: res.errors?.[0]?.extensions }).toEqual({ timeZone, extensions: { code: 'BAD_USER_INPUT', field: 'timeZone' } });
    }
  });
});
