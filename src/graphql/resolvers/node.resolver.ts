import { consumptionPeriods } from '../../services/consumption.service';
import { eventCursor, eventWindowArgs } from '../../services/event.service';
import { createNode, deleteNode, listNodes, updateNode } from '../../services/node.service';
import { toConnection } from '../../services/pagination';
import * as valid from '../../services/validation';
import type { Resolvers } from '../generated/resolvers-types';
import { required } from './required';

export const nodeResolvers: Resolvers = {
  Query: {
    node: (_, { id }, ctx) => ctx.loaders.nodeById.load(valid.id('id', id)),
    nodes: (_, args, ctx) => listNodes(ctx, args),
  },
  Mutation: {
    createNode: async (_, { input }, ctx) => ({ node: await createNode(ctx, input) }),
    updateNode: async (_, { id, input }, ctx) => ({ node: await updateNode(ctx, id, input) }),
    deleteNode: async (_, { id }, ctx) => ({ node: await deleteNode(ctx, id) }),
  },
  Node: {
    owner: async (node, _, ctx) => required(await ctx.loaders.userById.load(node.owner.id), 'owner', node.id),
    latestEvent: (node, _, ctx) => ctx.loaders.latestEventByNode.load({ parentId: node.id, args: undefined }),
    events: async (node, filter, ctx) => {
      const args = eventWindowArgs(filter);
      const events = await ctx.loaders.eventsByNode.load({ parentId: node.id, args });
      return toConnection(events, args.first, eventCursor, () =>
        ctx.loaders.eventCountByNode.load({ parentId: node.id, args: { from: args.from, to: args.to } }),
      );
    },
    consumption: (node, { granularity, periods }, ctx) =>
      ctx.loaders.consumptionByNode.load({ parentId: node.id, args: { granularity, periods: consumptionPeriods(periods) } }),
  },
};
