import { GraphQLError } from 'graphql';
import { callerName } from '../../auth/caller';
import { eventAudience, listEvents } from '../../services/event.reads';
import { recordEvent, recordEvents } from '../../services/event.service';
import * as valid from '../../services/validation';
import type { GraphQLContext, SubscriptionScope } from '../context';
import type { Delivery } from '../event-feed';
import type { Resolvers } from '../generated/resolvers-types';
import { required } from './required';

function subscriptionOf(ctx: GraphQLContext): SubscriptionScope {
  if (!ctx.subscription) {
    throw new GraphQLError('Subscriptions run over a WebSocket at /graphql (the graphql-ws protocol)', { extensions: { code: 'BAD_REQUEST' } });
  }
  return ctx.subscription;
}

export const eventResolvers: Resolvers = {
  Query: {
    event: (_, { id }, ctx) => ctx.loaders.eventById.get(valid.id('id', id)),
    events: (_, args, ctx) => listEvents(ctx, args),
  },
  Mutation: {
    recordEvent: async (_, { input }, ctx) => ({ event: await recordEvent(ctx, input) }),
    recordEvents: async (_, { inputs }, ctx) => {
      const events = await recordEvents(ctx, inputs);
      return { count: events.length, ids: events.map((event) => event.id) };
    },
  },
  Subscription: {
    eventRecorded: {
      subscribe: async (_, { deviceId }, ctx) => {
        const scope = subscriptionOf(ctx);
        const audience = await eventAudience(ctx, deviceId);
        return scope.feed.subscribe(audience, { caller: callerName(ctx.caller), deviceId: deviceId ?? null }, scope.socket);
      },
      // The readings of one notification are resolved in a unit of work of their own; an error ends the subscription.
      resolve: (delivery: Delivery, _args: unknown, ctx: GraphQLContext) => {
        if (delivery instanceof GraphQLError) throw delivery;
        subscriptionOf(ctx).unitOfWorkFor(delivery.notification);
        return delivery.event;
      },
    },
  },
  Event: {
    device: (event, _, ctx) => required(ctx.loaders.deviceById.get(event.device.id), 'device', event.id),
  },
};
