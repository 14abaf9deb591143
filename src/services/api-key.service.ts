import { refuseApiKeys } from '../auth/access';
import { requireSelfOrAdmin, type ActingContext } from '../auth/actor';
import { newApiKeySecret } from '../auth/api-keys';
import { findByIds } from '../db/lookup';
import { API_KEY_SCOPES, ApiKey, User, type ApiKeyScope } from '../entities';
import { InvalidInputError, NotFoundError } from '../shared/errors';
import { newOwnerId } from './owners';
import * as valid from './validation';

export interface CreateApiKeyData {
  name: string;
  scopes: readonly string[];
  /** The caller when left out. */
  ownerId?: string | null;
}

/** A new key for an active user (oneself by default, or anyone for an administrator): its secret, shown this once, and the key. */
export async function createApiKey(ctx: ActingContext, data: CreateApiKeyData): Promise<{ secret: string; apiKey: ApiKey }> {
  const ownerId = await newOwnerId(ctx, data.ownerId, 'You may only make API keys for yourself');
  const name = valid.text('input.name', data.name, { max: 100 });
  if (data.scopes.length === 0) throw new InvalidInputError('input.scopes', 'Give the key at least one scope');
  const scopes = data.scopes.map((scope, i) => {
    if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
      throw new InvalidInputError(`input.scopes[${i}]`, `Unknown scope "${scope}"; the scopes are ${API_KEY_SCOPES.join(', ')}`);
    }
    return scope as ApiKeyScope;
  });
  const { secret, prefix, secretHash } = newApiKeySecret();
  const apiKey = ctx.em.create(ApiKey, {
    owner: ctx.em.getReference(User, ownerId),
    name,
    prefix,
    secretHash,
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
