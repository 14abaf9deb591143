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
