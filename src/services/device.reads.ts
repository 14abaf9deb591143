import { adminOrOwnDevices, ownedBy, requireScope } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import {
  BY_ID,
  containsPattern,
  cursorParts,
  idCursor,
  pageRequest,
  readChildPages,
  readPage,
  type Connection,
  type PageRequest,
  type PagingArgs,
  type ReadPage,
} from '../db/pagination';
import { readByIds, type LookupSource } from '../db/point-lookups';
import { instant, read, uuidArray, type Row } from '../db/sql';
import type { DeviceRecord, UserRecord } from '../entities';
import { joinedUserColumns } from './user.reads';
import * as valid from './validation';

export interface DeviceFilter extends PagingArgs {
  ownerId?: string | null;
  active?: boolean | null;
  search?: string | null;
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
/** The device columns of a read of `devices n`. */
const DEVICE_COLUMNS = COLUMNS.split(', ').map((column) => `n.${column}`).join(', ');
/** The devices the caller may see: their own (every one for an ADMIN). */
const VISIBLE = ownedBy('n.owner_id');
/** The same, split for a plan per kind of caller (see listDevices). */
const SPLIT = adminOrOwnDevices('n');
/** The parents of a child list of users (`parent.id`) that the caller may see; the others get nothing. */
const PARENT_VISIBLE = ownedBy('parent.id');
const SCOPE = 'devices:read';

/** Devices by id with their owners. */
const DEVICES_WITH_OWNERS_BY_ID: LookupSource = {
  name: 'devices-with-owners',
  columns: `${DEVICE_COLUMNS}, ${OWNER.columns}`,
  from: 'devices n join users u on u.id = n.owner_id',
  id: 'n.id',
  condition: VISIBLE.sql,
};

/** Every distinct owner of `rows` (rows of devices with their owners' columns). */
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
  const rows = await readByIds(ctx, DEVICES_WITH_OWNERS_BY_ID, ids, VISIBLE.params(ctx.caller));
  const byId = new Map(rows.map((row) => [row.id as string, toDeviceRecord(row)]));
  return { devices: ids.map((id) => byId.get(id) ?? null), owners: ownersOf(rows) };
}

/** A page of the devices the caller may see, oldest first, read either way, with their owners. */
export async function listDevices(ctx: ActingContext, filter: DeviceFilter): Promise<DevicePage> {
  requireScope(ctx, SCOPE);
  const request = pageRequest(DEVICE_CURSOR, filter, [cursorParts.id]);
  const ownerId = filter.ownerId === null || filter.ownerId === undefined ? null : valid.id('ownerId', filter.ownerId);
  const active = filter.active ?? null;
  const pattern = filter.search ? containsPattern(valid.text('search', filter.search, { max: 100 })) : null;
  const filters = `(?::uuid is null or n.owner_id = ?::uuid) and (?::boolean is null or n.active = ?::boolean)
      and (?::text is null or n.name ilike ? or n.description ilike ?)`;
  const filterValues = [ownerId, ownerId, active, active, pattern, pattern, pattern];
  const { rows, ...connection } = await readPage(ctx, {
    table: 'devices n',
    where: `${filters} and ${VISIBLE.sql}`,
    values: [...filterValues, ...VISIBLE.params(ctx.caller)],
    keyset: { columns: [{ expression: 'n.id', name: 'id', type: 'uuid' }], descending: false },
    toRecord: toDeviceRecord,
    cursorOf: deviceCursor,
    // An ADMIN's page walks every device in order; anyone else's starts from their own (by owner). The
    // owners are joined to the page, not to each branch: half the planning.
    readRows: (keyset, limit) => ({
      sql: `select page.*, ${OWNER.columns} from (
          (select ${DEVICE_COLUMNS} from devices n where ${filters} and ${SPLIT.admin.sql} and ${keyset.condition} order by ${keyset.order} limit ?)
          union all
          (select ${DEVICE_COLUMNS} from devices n where ${filters} and ${SPLIT.owner.sql} and ${keyset.condition} order by ${keyset.order} limit ?)
        ) page join users u on u.id = page.owner_id order by ${keyset.orderByName} limit ?`,
      values: [
        ...filterValues, ...SPLIT.admin.params(ctx.caller), ...keyset.values, limit,
        ...filterValues, ...SPLIT.owner.params(ctx.caller), ...keyset.values, limit,
        limit,
      ],
    }),
  }, request);
  return { ...connection, owners: ownersOf(rows) };
}

/** Validates a user's `devices(first, after, last, before)` arguments: loaders batch every owner that shares them. */
export function ownerDevicesPage(args: PagingArgs): PageRequest {
  return pageRequest(DEVICE_CURSOR, args, [cursorParts.id]);
}

/** The page `request` of each owner's devices, in one statement for all owners. */
export async function devicePagesByOwner(
  ctx: ActingContext,
  ownerIds: readonly string[],
  request: PageRequest,
): Promise<Map<string, ReadPage<DeviceRecord>>> {
  requireScope(ctx, SCOPE);
  return readChildPages(ctx, {
    columns: COLUMNS,
    table: 'devices',
    where: 'owner_id = parent.id',
    values: [],
    parentVisible: PARENT_VISIBLE.sql,
    parentVisibleValues: PARENT_VISIBLE.params(ctx.caller),
    keyset: BY_ID,
    toRecord: toDeviceRecord,
  }, ownerIds, request);
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
