import { toConnection } from '../../db/pagination';
import { consumptionSeries } from '../../services/consumption.reads';
import { eventCursor, eventWindowArgs } from '../../services/event.reads';
import { listDevices } from '../../services/device.reads';
import { createDevice, deleteDevice, setDeviceActive, updateDevice } from '../../services/device.service';
import * as valid from '../../services/validation';
import type { Resolvers } from '../generated/resolvers-types';
import { primedDevicePage } from '../loaders';
import { required } from './required';

export const deviceResolvers: Resolvers = {
  Query: {
    device: (_, { id }, ctx) => ctx.loaders.deviceById.get(valid.id('id', id)),
    devices: async (_, args, ctx) => primedDevicePage(ctx.loaders, await listDevices(ctx, args)),
  },
  Mutation: {
    createDevice: async (_, { input }, ctx) => ({ device: await createDevice(ctx, input) }),
    updateDevice: async (_, { id, input }, ctx) => ({ device: await updateDevice(ctx, id, input) }),
    deleteDevice: async (_, { id }, ctx) => ({ device: await deleteDevice(ctx, id) }),
    deactivateDevice: async (_, { id }, ctx) => ({ device: await setDeviceActive(ctx, id, false) }),
    reactivateDevice: async (_, { id }, ctx) => ({ device: await setDeviceActive(ctx, id, true) }),
  },
  Device: {
    owner: (device, _, ctx) => required(ctx.loaders.userById.get(device.owner.id), 'owner', device.id),
    latestEvent: (device, _, ctx) => ctx.loaders.latestEventByDevice(device.id),
    events: async (device, filter, ctx) => {
      const args = eventWindowArgs(filter);
      const { rows, beyond } = await ctx.loaders.eventsByDevice(device.id, args);
      return toConnection(rows, args.page, eventCursor, () => ctx.loaders.eventCountByDevice({ from: args.from, to: args.to }).load(device.id), beyond);
    },
    consumption: (device, { granularity, periods, timeZone }, ctx) =>
      ctx.loaders.consumptionByDevice(consumptionSeries(granularity, periods, timeZone)).load(device.id),
  },
};
