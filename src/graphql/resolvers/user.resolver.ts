import { toConnection } from '../../db/pagination';
import { deviceCursor, ownerDevicesPage } from '../../services/device.reads';
import { listUsers } from '../../services/user.reads';
import { createUser, setUserActive, updateUser } from '../../services/user.service';
import * as valid from '../../services/validation';
import type { Resolvers } from '../generated/resolvers-types';
import { primedPage } from '../loaders';

export const userResolvers: Resolvers = {
  Query: {
    user: (_, { id }, ctx) => ctx.loaders.userById.get(valid.id('id', id)),
    users: async (_, args, ctx) => primedPage(ctx.loaders.userById, await listUsers(ctx, args)),
  },
  Mutation: {
    createUser: async (_, { input }, ctx) => ({ user: await createUser(ctx, input) }),
    updateUser: async (_, { id, input }, ctx) => ({ user: await updateUser(ctx, id, input) }),
    deactivateUser: async (_, { id }, ctx) => ({ user: await setUserActive(ctx, id, false) }),
    reactivateUser: async (_, { id }, ctx) => ({ user: await setUserActive(ctx, id, true) }),
  },
  User: {
    devices: async (user, args, ctx) => {
      const request = ownerDevicesPage(args);
      const { rows, beyond } = await ctx.loaders.devicesByOwner(request).load(user.id);
      const connection = toConnection(rows, request, deviceCursor, () => ctx.loaders.deviceCountByOwner.load(user.id), beyond);
      return primedPage(ctx.loaders.deviceById, connection);
    },
  },
};
