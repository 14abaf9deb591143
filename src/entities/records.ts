// The read shape of each entity: what queries return as plain rows (no hydration, no identity map),
// and what the entity classes satisfy as well, so a GraphQL field resolves the same way from a row a
// query read or from the entity a mutation changed. Relations are `{ id }` references, as an entity's
// `Ref` is. Columns the API never shows (update and recording times, the password hash) are not read.

/** What a user may do: an ADMIN everything, a USER what is theirs. */
export const ROLES = ['ADMIN', 'USER'] as const;
export type Role = (typeof ROLES)[number];

/** What a partner's key may do, each on its owner's data only. */
export const API_KEY_SCOPES = ['devices:read', 'events:read', 'events:write', 'recommendations:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A reference to a related row by its id. */
export interface IdRef {
  readonly id: string;
}

/** A user as reads return it; the password hash is never part of it. */
export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly secondLastName: string | null;
  /** ISO date (YYYY-MM-DD). */
  readonly birthDate: string | null;
  readonly role: Role;
  readonly active: boolean;
  readonly registeredAt: Date;
  readonly version: number;
}

/** A device as reads return it. */
export interface DeviceRecord {
  readonly id: string;
  readonly owner: IdRef;
  readonly name: string;
  readonly description: string | null;
  readonly active: boolean;
  readonly registeredAt: Date;
  readonly version: number;
}

/** A reading as reads return it. */
export interface EventRecord {
  readonly id: string;
  readonly device: IdRef;
  readonly occurredAt: Date;
  /** Exact decimal as a string, e.g. "12.50". */
  readonly consumption: string;
  readonly unit: string;
}

/** A tip as reads return it. */
export interface RecommendationRecord {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly imageUrl: string;
  readonly icon: string;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly version: number;
}

/** A partner's API key as reads return it: never its secret or the secret's hash. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly owner: IdRef;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A record of any type whose id is unique across every type (what Relay's `Node` interface stands for). */
export type NodeRecord = UserRecord | DeviceRecord | EventRecord | RecommendationRecord | ApiKeyRecord;
