import { ownedThroughDevice, requireScope } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import { prepared, read, uuidArray } from '../db/sql';
import { groupBy } from '../shared/group-by';
import * as valid from './validation';

export type Granularity = 'DAY' | 'MONTH' | 'YEAR';

export interface ConsumptionBucket {
  /** UTC start of the period. */
  readonly start: Date;
  /** Exact sum, e.g. "1234.50". */
  readonly total: string;
  /** The unit of the summed readings; null for a period without readings. */
  readonly unit: string | null;
}

/** How many buckets one `consumption` call may ask for. */
export const MAX_PERIODS = 1_000;

const SQL_UNIT: Record<Granularity, string> = { DAY: 'day', MONTH: 'month', YEAR: 'year' };

/** Readings of the devices the caller may see. */
const VISIBLE = ownedThroughDevice('device_id');

/**
 * Sums per device, bucket and unit since a start; parameters: the `date_trunc` unit, the device ids, the
 * start, the caller's visibility. Grouped on the truncated instant and formatted per bucket, not per reading: a third less work
 * for PostgreSQL.
 */
const SUMS = prepared(
  'consumption-by-device',
  `select device_id, to_char(bucket, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket, unit, total::text as total
    from (
      select device_id, date_trunc(?, occurred_at at time zone 'UTC') as bucket, unit, sum(consumption) as total
      from events
      where device_id = any(?::uuid[]) and occurred_at >= ?::timestamptz and ${VISIBLE.sql}
      group by 1, 2, 3
    ) buckets
    order by unit`,
);

/** Validates the number of periods of a consumption series. */
export function consumptionPeriods(periods: number): number {
  return valid.intInRange('periods', periods, 1, MAX_PERIODS);
}

/** The UTC starts of the last `periods` buckets (the current one included), oldest first. */
export function bucketStarts(granularity: Granularity, periods: number, now: Date): Date[] {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  return Array.from({ length: periods }, (_, i) => {
    const back = periods - 1 - i;
    if (granularity === 'DAY') return new Date(Date.UTC(year, month, day - back));
    if (granularity === 'MONTH') return new Date(Date.UTC(year, month - back, 1));
    return new Date(Date.UTC(year - back, 0, 1));
  });
}

/**
 * Consumption per bucket for each device, empty buckets included: one `date_trunc … group by` statement
 * for all devices. Readings in different units are never added up: a period with several units has one
 * bucket per unit (litres and litres per minute are not one quantity).
 */
export async function consumptionByDevice(
  ctx: ActingContext,
  deviceIds: readonly string[],
  granularity: Granularity,
  periods: number,
  now: Date = new Date(),
): Promise<Map<string, ConsumptionBucket[]>> {
  requireScope(ctx, 'events:read');
  const starts = bucketStarts(granularity, periods, now);
  const rows = await read<{ device_id: string; bucket: string; total: string; unit: string }>(ctx, SUMS, [
    SQL_UNIT[granularity],
    uuidArray(deviceIds),
    starts[0]!.toISOString(),
    ...VISIBLE.params(ctx.caller),
  ]);
  const byDevice = groupBy(rows, (row) => row.device_id);
  const buckets = starts.map((start) => start.toISOString().replace('.000Z', 'Z'));
  return new Map(
    deviceIds.map((deviceId) => {
      const byBucket = groupBy(byDevice.get(deviceId) ?? [], (row) => row.bucket);
      const series: ConsumptionBucket[] = [];
      starts.forEach((start, i) => {
        const periodRows = byBucket.get(buckets[i]!);
        if (!periodRows) series.push({ start, total: '0.00', unit: null });
        else for (const row of periodRows) series.push({ start, total: row.total, unit: row.unit });
      });
      return [deviceId, series];
    }),
  );
}
