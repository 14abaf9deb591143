import { defineEntity, OptionalProps, type Ref } from '@mikro-orm/core';
import { newId } from './ids';
import { API_KEY_SCOPES, type ApiKeyRecord, type ApiKeyScope } from './records';
import { type User, UserSchema } from './user.entity';

/**
 * A partner's credential: acts for its owner, within its scopes. The secret is shown once, at
 * creation; only its SHA-256 is kept (it is 32 random bytes, so a slow hash adds nothing), found by
 * the key's public prefix.
 */
export class ApiKey implements ApiKeyRecord {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt';

  id: string = newId();
  owner!: Ref<User>;
  name!: string;
  /** Public, unique: the part of the secret that finds the key. */
  prefix!: string;
  /** SHA-256 of the secret, hex; never leaves the service layer. */
  secretHash!: string;
  scopes!: ApiKeyScope[];
  createdAt: Date = new Date();
  lastUsedAt: Date | null = null;
  revokedAt: Date | null = null;
}

export const ApiKeySchema = defineEntity({
  class: ApiKey,
  tableName: 'api_keys',
  checks: [
    {
      name: 'api_keys_scopes_check',
      expression: `cardinality(scopes) > 0 and scopes <@ array[${API_KEY_SCOPES.map((scope) => `'${scope}'`).join(', ')}]::text[]`,
    },
  ],
  properties: (p) => ({
    id: p.uuid().primary(),
    owner: p.manyToOne(UserSchema).ref().deleteRule('restrict').index('api_keys_owner_id_index'),
    name: p.string().length(100),
    prefix: p.string().length(16).unique('api_keys_prefix_unique'),
    secretHash: p.string().length(64).hidden(),
    scopes: p.array<ApiKeyScope>(),
    createdAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
    lastUsedAt: p.datetime().columnType('timestamptz').nullable(),
    revokedAt: p.datetime().columnType('timestamptz').nullable(),
  }),
});
