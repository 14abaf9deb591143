import type { Resolvers } from '../generated/resolvers-types';
import { DateScalar, DateTimeScalar, DecimalScalar } from '../scalars';
import { authResolvers } from './auth.resolver';
import { connectionResolvers } from './connection.resolver';
import { eventResolvers } from './event.resolver';
import { deviceResolvers } from './device.resolver';
import { nodeResolvers } from './node.resolver';
import { recommendationResolvers } from './recommendation.resolver';
import { userResolvers } from './user.resolver';

/** Every resolver; each domain file contributes its type and its Query, Mutation and Subscription fields. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Decimal: DecimalScalar,
  Query: {
    ...authResolvers.Query,
    ...userResolvers.Query,
    ...deviceResolvers.Query,
    ...eventResolvers.Query,
    ...recommendationResolvers.Query,
    ...nodeResolvers.Query,
  },
  Mutation: {
    ...authResolvers.Mutation,
    ...userResolvers.Mutation,
    ...deviceResolvers.Mutation,
    ...eventResolvers.Mutation,
    ...recommendationResolvers.Mutation,
  },
  Subscription: eventResolvers.Subscription,
  User: userResolvers.User,
  Device: deviceResolvers.Device,
  Event: eventResolvers.Event,
  ApiKey: authResolvers.ApiKey,
  Node: nodeResolvers.Node,
  ...connectionResolvers,
};
