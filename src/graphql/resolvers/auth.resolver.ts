import { signedInUser, signedInUserId } from '../../auth/actor';
import { login } from '../../auth/sign-in';
import { listApiKeys } from '../../services/api-key.reads';
import { createApiKey, revokeApiKey } from '../../services/api-key.service';
import type { Resolvers } from '../generated/resolvers-types';
import { required } from './required';

export const authResolvers: Resolvers = {
  Query: {
    me: async (_, __, ctx) => signedInUser(await ctx.loaders.userById.get(signedInUserId(ctx.caller))),
    apiKeys: (_, __, ctx) => listApiKeys(ctx),
  },
  Mutation: {
    login: (_, { input }, ctx) => login(ctx, ctx.tokens, ctx.rateLimit.login, input),
    createApiKey: (_, { input }, ctx) => createApiKey(ctx, input),
    revokeApiKey: async (_, { id }, ctx) => ({ apiKey: await revokeApiKey(ctx, id) }),
  },
  ApiKey: {
    owner: (apiKey, _, ctx) => required(ctx.loaders.userById.get(apiKey.owner.id), 'owner', apiKey.id),
  },
};
