import { listEvents } from '../../services/event.reads';
import { recordEvent, recordEvents } from '../../services/event.service';
import * as valid from '../../services/validation';
import type { Resolvers } from '../generated/resolvers-types';
import { required } from './required';

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
  Event: {
    device: (event, _, ctx) => required(ctx.loaders.deviceById.get(event.device.id), 'device', event.id),
  },
};
