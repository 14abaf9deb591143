import { nodeCursor, ownerNodesArgs } from '../../services/node.service';
import { toConnection } from '../../services/pagination';
import { createUser, listUsers, setUserActive, updateUser } from '../../services/user.service';
import * as valid from '../../services/validation';
import type { Resolvers } from '../generated/resolvers-types';

export const userResolvers: Resolvers = {
  Query: {
    user: (_, { id }, ctx) => ctx.loaders.userById.load(valid.id('id', id)),
    users: (_, args, ctx) => listUsers(ctx, args),
  },
  Mutation: {
    createUser: async (_, { input }, ctx) => ({ user: await createUser(ctx, input) }),
    updateUser: async (_, { id, input }, ctx) => ({ user: await updateUser(ctx, id, input) }),
    deactivateUser: async (_, { id }, ctx) => ({ user: await setUserActive(ctx, id, false) }),
    reactivateUser: async (_, { id }, ctx) => ({ user: await setUserActive(ctx, id, true) }),
  },
  User: {
    nodes: async (user, { first, after }, ctx) => {
      const args = ownerNodesArgs(first, after);
      const nodes = await ctx.loaders.nodesByOwner.load({ parentId: user.id, args });
      return toConnection(nodes, args.first, nodeCursor, () =>
        ctx.loaders.nodeCountByOwner.load({ parentId: user.id, args: undefined }),
      );
    },
  },
};
