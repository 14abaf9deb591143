import { ownedBy, requireScope } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import { containsPattern, cursorParts, decodeCursor, idCursor, pageSize, toConnection, type Connection } from '../db/pagination';
import { instant, prepared, read, uuidArray, type Row } from '../db/sql';
import type { DeviceRecord, UserRecord } from '../entities';
import { groupBy } from '../shared/group-by';
import { joinedUserColumns } from './user.reads';
import * as valid from './validation';

export interface DeviceFilter {
  first?: number | null;
  after?: string | null;
  ownerId?: string | null;
  active?: boolean | null;
  search?: string | null;
}

/** Arguments of a user's `devices` list; loaders batch every owner that shares them. */
export interface OwnerDevicesArgs {
  first: number;
  after: string | null;
}

/**
 * Devices as the reads of `device(id)` and `devices` return them: with their owners' records, read in the
 * same statement, since a device is hardly ever shown without its owner.
 */
export interface WithOwners {
  readonly owners: readonly UserRecord[];
}

/** A page of the `devices` list, with its devices' owners. */
export type DevicePage = Connection<DeviceRecord> & WithOwners;

/** Cursor kind of device lists (all devices, and a user's). */
const DEVICE_CURSOR = 'device';

/** Opaque position of a row of a device list: its id (UUIDv7, so creation order). */
export function deviceCursor(device: DeviceRecord): string {
  return idCursor(DEVICE_CURSOR, device);
}

const COLUMNS = 'id, owner_id, name, description, active, registered_at, version';

function toDeviceRecord(row: Row): DeviceRecord {
  return {
    id: row.id as string,
    owner: { id: row.owner_id as string },
    name: row.name as string,
    description: row.description as string | null,
    active: row.active as boolean,
    registeredAt: instant(row.registered_at),
    version: row.version as number,
  };
}

const OWNER = joinedUserColumns('u');
/** Devices (`n`) joined with their owners (`u`). */
const DEVICES_WITH_OWNERS = `select ${COLUMNS.split(', ').map((column) => `n.${column}`).join(', ')}, ${OWNER.columns}
  from devices n join users u on u.id = n.owner_id`;

/** The devices the caller may see: their own (every one for an ADMIN). */
const VISIBLE = ownedBy('n.owner_id');
/** The parents of a child list of users (`parent.id`) that the caller may see; the others get nothing. */
const PARENT_VISIBLE = ownedBy('parent.id');
const SCOPE = 'devices:read';

const DEVICES_BY_IDS = prepared('devices-with-owners-by-id', `${DEVICES_WITH_OWNERS} where n.id = any(?::uuid[]) and ${VISIBLE.sql}`);

/** Every distinct owner of `rows` (rows of {@link DEVICES_WITH_OWNERS}). */
function ownersOf(rows: readonly Row[]): UserRecord[] {
  const owners = new Map<string, UserRecord>();
  for (const row of rows) {
    if (!owners.has(row.u_id as string)) owners.set(row.u_id as string, OWNER.toRecord(row));
  }
  return [...owners.values()];
}

/** Devices by id (null where none, or not the caller's to see) and their owners, in one statement: the `deviceById` loader's batch. */
export async function deviceRecordsByIds(
  ctx: ActingContext,
  ids: readonly string[],
): Promise<{ devices: Array<DeviceRecord | null> } & WithOwners> {
  requireScope(ctx, SCOPE);
  const rows = await read(ctx, DEVICES_BY_IDS, [uuidArray(ids), ...VISIBLE.params(ctx.caller)]);
  const byId = new Map(rows.map((row) => [row.id as string, toDeviceRecord(row)]));
  return { devices: ids.map((id) => byId.get(id) ?? null), owners: ownersOf(rows) };
}

/** A page of the devices the caller may see, oldest first, with their owners. */
export async function listDevices(ctx: ActingContext, filter: DeviceFilter): Promise<DevicePage> {
  requireScope(ctx, SCOPE);
  const first = pageSize(filter.first);
  const after = decodeCursor(DEVICE_CURSOR, filter.after, [cursorParts.id])?.[0] ?? null;
  const ownerId = filter.ownerId === null || filter.ownerId === undefined ? null : valid.id('ownerId', filter.ownerId);
  const active = filter.active ?? null;
  const pattern = filter.search ? containsPattern(valid.text('search', filter.search, { max: 100 })) : null;
  const where = `(?::uuid is null or n.owner_id = ?::uuid) and (?::boolean is null or n.active = ?::boolean)
    and (?::text is null or n.name ilike ? or n.description ilike ?) and ${VISIBLE.sql}`;
  const whereParams = [ownerId, ownerId, active, active, pattern, pattern, pattern, ...VISIBLE.params(ctx.caller)];
  const rows = await read(ctx, `${DEVICES_WITH_OWNERS} where ${where} and (?::uuid is null or n.id > ?::uuid) order by n.id limit ?`, [
    ...whereParams,
    after,
    after,
    first + 1,
  ]);
  const connection = toConnection(rows.map(toDeviceRecord), first, deviceCursor, async () => {
    const [row] = await read<{ count: string }>(ctx, `select count(*) as count from devices n where ${where}`, whereParams);
    return Number(row!.count);
  });
  return { ...connection, owners: ownersOf(rows.slice(0, connection.page.length)) };
}

/** Validates a user's `devices(first, after)` arguments. */
export function ownerDevicesArgs(first: number | null | undefined, after: string | null | undefined): OwnerDevicesArgs {
  return { first: pageSize(first), after: decodeCursor(DEVICE_CURSOR, after, [cursorParts.id])?.[0] ?? null };
}

/** The first `args.first + 1` devices of each owner, in one statement for all owners. */
export async function devicePagesByOwner(
  ctx: ActingContext,
  ownerIds: readonly string[],
  args: OwnerDevicesArgs,
): Promise<Map<string, DeviceRecord[]>> {
  requireScope(ctx, SCOPE);
  const rows = await read(ctx,
    `select n.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (
       select ${COLUMNS} from devices where owner_id = parent.id and (?::uuid is null or id > ?::uuid) order by id limit ?
     ) n
     where ${PARENT_VISIBLE.sql}`,
    [uuidArray(ownerIds), args.after, args.after, args.first + 1, ...PARENT_VISIBLE.params(ctx.caller)],
  );
  return groupBy(rows.map(toDeviceRecord), (device) => device.owner.id);
}

/** How many devices each owner has, in one statement. */
export async function deviceCountsByOwner(ctx: ActingContext, ownerIds: readonly string[]): Promise<Map<string, number>> {
  requireScope(ctx, SCOPE);
  const rows = await read<{ owner_id: string; count: string }>(ctx,
    `select n.owner_id, count(*) as count from devices n where n.owner_id = any(?::uuid[]) and ${VISIBLE.sql} group by n.owner_id`,
    [uuidArray(ownerIds), ...VISIBLE.params(ctx.caller)],
  );
  return new Map(rows.map((row) => [row.owner_id, Number(row.count)]));
}
