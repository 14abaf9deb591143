import { login, signedInUserId } from '../../services/auth.service';
import type { Resolvers } from '../generated/resolvers-types';
import { required } from './required';

export const authResolvers: Resolvers = {
  Query: {
    me: (_, __, ctx) => {
      const userId = signedInUserId(ctx.caller);
      return required(ctx.loaders.userById.get(userId), 'user', userId);
    },
  },
  Mutation: {
    login: (_, { input }, ctx) => login(ctx, ctx.tokens, input),
  },
};
