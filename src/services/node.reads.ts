import type { ApiKeyScope } from '../entities';
import { hasScope } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import { readByIds, type LookupSource } from '../db/point-lookups';

/** How many objects one `nodes` call may ask for (as a page of any list). */
export const MAX_NODE_IDS = 100;

/** Every type that implements Relay's `Node` interface (an object with an id unique across types). */
export type NodeType = 'User' | 'Device' | 'Event' | 'Recommendation' | 'ApiKey';

/**
 * The API-key scope that reading each type needs, as its typed fields do (`undefined`: none; a key
 * sees its owner as a user; `null`: no key may, API keys themselves).
 */
const SCOPES: Readonly<Record<NodeType, ApiKeyScope | null | undefined>> = {
  User: undefined,
  Device: 'devices:read',
  Event: 'events:read',
  Recommendation: 'recommendations:read',
  ApiKey: null,
};

/** The table of each type, where its ids are. */
const TABLES: Readonly<Record<NodeType, string>> = {
  User: 'users',
  Device: 'devices',
  Event: 'events',
  Recommendation: 'recommendations',
  ApiKey: 'api_keys',
};

/** Which table holds each of the ids (by primary key: one index probe per table). */
const TYPES: LookupSource = {
  name: 'node-types',
  columns: 'id, type',
  from: `(${Object.entries(TABLES)
    .map(([type, table]) => `select id, '${type}' as type from ${table}`)
    .join(' union all ')}) nodes`,
  id: 'nodes.id',
  condition: 'true',
};

/**
 * The type of each of `ids` (UUIDs are unique across tables), in one statement; null where no object
 * has that id, or where the caller's API key lacks the scope its type needs. Whether the caller may
 * see the object itself is for the typed lookup that follows (the loaders' visibility conditions).
 */
export async function nodeTypesByIds(ctx: ActingContext, ids: readonly string[]): Promise<Array<NodeType | null>> {
  const rows = await readByIds(ctx, TYPES, ids, []);
  const types = new Map(rows.map((row) => [row.id as string, row.type as NodeType]));
  return ids.map((id) => {
    const type = types.get(id);
    if (type === undefined) return null;
    const scope = SCOPES[type];
    return scope === undefined || hasScope(ctx.caller, scope) ? type : null;
  });
}
