import { listRecommendations, randomRecommendations } from '../../services/recommendation.reads';
import { createRecommendation, setRecommendationActive, updateRecommendation } from '../../services/recommendation.service';
import * as valid from '../../services/validation';
import type { Resolvers } from '../generated/resolvers-types';

export const recommendationResolvers: Resolvers = {
  Query: {
    recommendation: (_, { id }, ctx) => ctx.loaders.recommendationById.get(valid.id('id', id)),
    recommendations: (_, args, ctx) => listRecommendations(ctx, args),
    randomRecommendations: (_, { count }, ctx) => randomRecommendations(ctx, count),
  },
  Mutation: {
    createRecommendation: async (_, { input }, ctx) => ({ recommendation: await createRecommendation(ctx, input) }),
    updateRecommendation: async (_, { id, input }, ctx) => ({ recommendation: await updateRecommendation(ctx, id, input) }),
    deactivateRecommendation: async (_, { id }, ctx) => ({ recommendation: await setRecommendationActive(ctx, id, false) }),
    reactivateRecommendation: async (_, { id }, ctx) => ({ recommendation: await setRecommendationActive(ctx, id, true) }),
  },
};
