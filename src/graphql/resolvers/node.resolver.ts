import { toConnection } from '../../db/pagination';
import { consumptionPeriods } from '../../services/consumption.reads';
import { eventCursor, eventWindowArgs } from '../../services/event.reads';
import { listNodes } from '../../services/node.reads';
import { createNode, deleteNode, updateNode } from '../../services/node.service';
import * as valid from '../../services/validation';
import type { Resolvers } from '../generated/resolvers-types';
import { primedNodePage } from '../loaders';
import { required } from './required';

export const nodeResolvers: Resolvers = {
  Query: {
    node: (_, { id }, ctx) => ctx.loaders.nodeById.get(valid.id('id', id)),
    nodes: async (_, args, ctx) => primedNodePage(ctx.loaders, await listNodes(ctx, args)),
  },
  Mutation: {
    createNode: async (_, { input }, ctx) => ({ node: await createNode(ctx, input) }),
    updateNode: async (_, { id, input }, ctx) => ({ node: await updateNode(ctx, id, input) }),
    deleteNode: async (_, { id }, ctx) => ({ node: await deleteNode(ctx, id) }),
  },
  Node: {
    owner: (node, _, ctx) => required(ctx.loaders.userById.get(node.owner.id), 'owner', node.id),
    latestEvent: (node, _, ctx) => ctx.loaders.latestEventByNode(node.id),
    events: async (node, filter, ctx) => {
      const args = eventWindowArgs(filter);
      const events = await ctx.loaders.eventsByNode(node.id, args);
      return toConnection(events, args.first, eventCursor, () =>
        ctx.loaders.eventCountByNode({ from: args.from, to: args.to }).load(node.id),
      );
    },
    consumption: (node, { granularity, periods }, ctx) =>
      ctx.loaders.consumptionByNode({ granularity, periods: consumptionPeriods(periods) }).load(node.id),
  },
};
