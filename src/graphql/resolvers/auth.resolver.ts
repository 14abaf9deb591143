import { login, signedInUser, signedInUserId } from '../../services/auth.service';
import type { Resolvers } from '../generated/resolvers-types';

export const authResolvers: Resolvers = {
  Query: {
    me: async (_, __, ctx) => signedInUser(await ctx.loaders.userById.get(signedInUserId(ctx.caller))),
  },
  Mutation: {
    login: (_, { input }, ctx) => login(ctx, ctx.tokens, input),
  },
};
