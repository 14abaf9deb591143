import type { ApiKeyRecord, ApiKeyScope } from '../entities';
import { ownedBy, refuseApiKeys } from '../auth/access';
import { actorOf, isAdmin, type ActingContext } from '../auth/actor';
import { recordsByIds, type RecordSource } from '../db/point-lookups';
import { instant, read, type Row } from '../db/sql';

const COLUMNS = 'id, owner_id, name, prefix, scopes, created_at, last_used_at, revoked_at';

function toApiKeyRecord(row: Row): ApiKeyRecord {
  return {
    id: row.id as string,
    owner: { id: row.owner_id as string },
    name: row.name as string,
    prefix: row.prefix as string,
    scopes: row.scopes as ApiKeyScope[],
    createdAt: instant(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : instant(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : instant(row.revoked_at),
  };
}

/** The API keys the caller may see (their own; every one for an administrator), oldest first, without secrets. */
export async function listApiKeys(ctx: ActingContext): Promise<ApiKeyRecord[]> {
  refuseApiKeys(ctx);
  const actor = await actorOf(ctx);
  const owner = isAdmin(actor) ? null : actor.userId;
  const rows = await read(ctx, `select ${COLUMNS} from api_keys where (?::uuid is null or owner_id = ?::uuid) order by created_at, id`, [owner, owner]);
  return rows.map(toApiKeyRecord);
}

/** A key is its owner's: others see it only as an ADMIN signed in with a token. */
const VISIBLE = ownedBy('owner_id');

/** Where API key records come from (never the secret's hash). */
const API_KEYS: RecordSource<ApiKeyRecord> = { table: 'api_keys', columns: COLUMNS, toRecord: toApiKeyRecord, condition: VISIBLE.sql };

/** Keys by id (null where none, or not the caller's to see), in one statement; FORBIDDEN for an API key, which manages no keys. */
export async function apiKeyRecordsByIds(ctx: ActingContext, ids: readonly string[]): Promise<Array<ApiKeyRecord | null>> {
  refuseApiKeys(ctx);
  return recordsByIds(ctx, API_KEYS, ids, VISIBLE.params(ctx.caller));
}
