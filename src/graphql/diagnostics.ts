import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { fromOrigin } from '../db/statement-tally';

/**
 * The resolver map with each resolver's statements attributed to its field path (`devices.edges.node.events`,
 * list indexes left out), so that a diagnostic names the field that sent a repeated statement. Only
 * with diagnostics on: it costs an async-context switch per resolved field.
 */
export function withFieldPaths<Map extends object>(map: Map): Map {
  const traced: Record<string, unknown> = {};
  for (const [typeName, fields] of Object.entries(map)) {
    if (!isFieldMap(fields)) {
      traced[typeName] = fields;
      continue;
    }
    traced[typeName] = Object.fromEntries(
      Object.entries(fields).map(([name, resolve]) => [
        name,
        // `__resolveType` and the like are not field resolvers: they take no field's info.
        typeof resolve === 'function' && !name.startsWith('__')
          ? (parent: unknown, args: unknown, ctx: unknown, info: GraphQLResolveInfo) =>
              fromOrigin(pathOf(info), () => (resolve as GraphQLFieldResolver<unknown, unknown>)(parent, args, ctx, info))
          : resolve,
      ]),
    );
  }
  return traced as Map;
}

/** A plain object of field resolvers (not a scalar, whose entries are its own methods). */
function isFieldMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function pathOf(info: GraphQLResolveInfo): string {
  const keys: string[] = [];
  for (let at: GraphQLResolveInfo['path'] | undefined = info.path; at; at = at.prev) {
    if (typeof at.key === 'string') keys.push(at.key);
  }
  return keys.reverse().join('.');
}
