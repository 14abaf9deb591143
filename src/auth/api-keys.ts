import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ForkContext } from '../db/fork-context';
import { prepared, read, uuidArray } from '../db/sql';
import type { ApiKeyScope } from '../entities';

/** What a valid key stands for: its owner, within its scopes. */
export interface ApiKeyIdentity {
  readonly keyId: string;
  readonly ownerId: string;
  readonly scopes: readonly ApiKeyScope[];
}

/** Every secret starts so, then the key's public prefix, then 32 random bytes: `amk_<prefix>_<random>`. */
const SECRET = /^amk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
/** How stale `lastUsedAt` may get: a busy key is not written on every request. */
const LAST_USED_RESOLUTION = '1 minute';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether `text` looks like an API key secret (rather than an access token). */
export function isApiKeySecret(text: string): boolean {
  return text.startsWith('amk_');
}

/** A new key's secret (shown to its owner once), its public prefix, and the hash that is kept. */
export function newApiKeySecret(): { secret: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = `amk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { secret, prefix, secretHash: sha256(secret) };
}

/**
 * What an API key secret stands for, or null when it is not a live key's: unknown, revoked, wrong
 * (compared in constant time), or its owner deactivated. Marks the key used, at most once a minute.
 */
export async function authenticateApiKey(ctx: ForkContext, secret: string): Promise<ApiKeyIdentity | null> {
  const prefix = SECRET.exec(secret)?.[1];
  if (!prefix) return null;
  const [row] = await read<{ id: string; owner_id: string; secret_hash: string; scopes: ApiKeyScope[]; revoked_at: unknown; owner_active: boolean }>(
    ctx,
    'select k.id, k.owner_id, k.secret_hash, k.scopes, k.revoked_at, u.active as owner_active from api_keys k join users u on u.id = k.owner_id where k.prefix = ?',
    [prefix],
  );
  const presented = Buffer.from(sha256(secret), 'hex');
  const stored = Buffer.from(row?.secret_hash ?? sha256(''), 'hex');
  if (!row || !timingSafeEqual(presented, stored) || row.revoked_at !== null || !row.owner_active) return null;
  await read(
    ctx,
    `update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '${LAST_USED_RESOLUTION}')`,
    [row.id],
  );
  return { keyId: row.id, ownerId: row.owner_id, scopes: row.scopes };
}

const LIVE_KEYS = prepared('live-api-keys', 'select id from api_keys where id = any(?::uuid[]) and revoked_at is null');

/**
 * Which of `keyIds` are not revoked now, in one statement for all of them: how the API keys of
 * long-lived subscriptions are checked again while they listen (their owners' standing: `activeRoles`).
 */
export async function liveApiKeys(ctx: ForkContext, keyIds: readonly string[]): Promise<Set<string>> {
  if (keyIds.length === 0) return new Set();
  const rows = await read<{ id: string }>(ctx, LIVE_KEYS, [uuidArray(keyIds)]);
  return new Set(rows.map((row) => row.id));
}
