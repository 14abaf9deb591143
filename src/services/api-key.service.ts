import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_SCOPES, ApiKey, User, type ApiKeyRecord, type ApiKeyScope } from '../entities';
import { refuseApiKeys } from './access';
import { actorOf, isAdmin, requireSelfOrAdmin, type ActingContext } from './actor';
import type { ServiceContext } from './context';
import { InvalidInputError, NotFoundError } from './errors';
import { findByIds } from './lookup';
import { instant, read, type Row } from './sql';
import * as valid from './validation';

export interface CreateApiKeyData {
  name: string;
  scopes: readonly string[];
  ownerId: string;
}

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

/** A new key for an active user (oneself, or anyone for an administrator): its secret, shown this once, and the key. */
export async function createApiKey(ctx: ActingContext, data: CreateApiKeyData): Promise<{ secret: string; apiKey: ApiKey }> {
  await requireSelfOrAdmin(ctx, valid.id('input.ownerId', data.ownerId), 'You may only make API keys for yourself');
  const name = valid.text('input.name', data.name, { max: 100 });
  if (data.scopes.length === 0) throw new InvalidInputError('input.scopes', 'Give the key at least one scope');
  const scopes = data.scopes.map((scope, i) => {
    if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
      throw new InvalidInputError(`input.scopes[${i}]`, `Unknown scope "${scope}"; the scopes are ${API_KEY_SCOPES.join(', ')}`);
    }
    return scope as ApiKeyScope;
  });
  const ownerId = valid.id('input.ownerId', data.ownerId);
  const [owner] = await findByIds(ctx.em, User, [ownerId]);
  if (!owner) throw new NotFoundError('User', ownerId, 'input.ownerId');
  if (!owner.active) throw new InvalidInputError('input.ownerId', 'The owner is deactivated');
  const prefix = randomBytes(6).toString('hex');
  const secret = `amk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const apiKey = ctx.em.create(ApiKey, {
    owner: ctx.em.getReference(User, ownerId),
    name,
    prefix,
    secretHash: sha256(secret),
    scopes: [...new Set(scopes)],
  });
  ctx.em.persist(apiKey);
  return { secret, apiKey };
}

/** Revokes a key (one's own, or anyone's for an administrator): it stops working at once. Revoking a revoked key changes nothing. */
export async function revokeApiKey(ctx: ActingContext, id: string): Promise<ApiKey> {
  const keyId = valid.id('id', id);
  refuseApiKeys(ctx);
  const [apiKey] = await findByIds(ctx.em, ApiKey, [keyId]);
  if (!apiKey) throw new NotFoundError('API key', keyId);
  await requireSelfOrAdmin(ctx, apiKey.owner.id, 'You may only revoke your own API keys');
  apiKey.revokedAt ??= new Date();
  return apiKey;
}

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

/**
 * What an API key secret stands for, or null when it is not a live key's: unknown, revoked, wrong
 * (compared in constant time), or its owner deactivated. Marks the key used, at most once a minute.
 */
export async function authenticateApiKey(ctx: ServiceContext, secret: string): Promise<ApiKeyIdentity | null> {
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
