import type { NodeRecord } from '../../entities';
import { MAX_NODE_IDS, type NodeType } from '../../services/node.reads';
import * as valid from '../../services/validation';
import type { GraphQLContext } from '../context';
import type { Resolvers } from '../generated/resolvers-types';

/** The type of each record `node` and `nodes` gave (records are plain rows, which do not say it themselves). */
const typesOfRecords = new WeakMap<NodeRecord, NodeType>();

async function nodeById(ctx: GraphQLContext, id: string): Promise<NodeRecord | null> {
  const found = await ctx.loaders.nodeById(id);
  if (!found) return null;
  typesOfRecords.set(found.record, found.type);
  return found.record;
}

export const nodeResolvers: Resolvers = {
  Query: {
    node: (_, { id }, ctx) => nodeById(ctx, valid.id('id', id)),
    nodes: (_, { ids }, ctx) => Promise.all(valid.ids('ids', ids, MAX_NODE_IDS).map((id) => nodeById(ctx, id))),
  },
  Node: {
    __resolveType: (record) => {
      const type = typesOfRecords.get(record);
      if (!type) throw new Error(`no type known for the Node ${record.id}`);
      return type;
    },
  },
};
