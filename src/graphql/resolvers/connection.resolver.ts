import { endCursor, startCursor, type Connection } from '../../db/pagination';
import { eventCursor } from '../../services/event.reads';
import { deviceCursor } from '../../services/device.reads';
import { recommendationCursor } from '../../services/recommendation.reads';
import { userCursor } from '../../services/user.reads';
import type { Resolvers } from '../generated/resolvers-types';

/** Every connection resolves alike: its rows are its edges, and its PageInfo is the connection itself. */
const connection = {
  edges: <T>(c: Connection<T>) => c.page,
  pageInfo: <T>(c: Connection<T>) => c,
  totalCount: <T>(c: Connection<T>) => c.totalCount(),
};

/** An edge is its row: `node` is the row itself, and `cursor` is computed from it only when asked for. */
function edge<T>(cursorOf: (row: T) => string) {
  return { node: (row: T) => row, cursor: (row: T) => cursorOf(row) };
}

export const connectionResolvers: Resolvers = {
  PageInfo: {
    hasNextPage: (c) => c.hasNextPage,
    hasPreviousPage: (c) => c.hasPreviousPage,
    startCursor: (c) => startCursor(c),
    endCursor: (c) => endCursor(c),
  },
  UserConnection: connection,
  DeviceConnection: connection,
  EventConnection: connection,
  RecommendationConnection: connection,
  UserEdge: edge(userCursor),
  DeviceEdge: edge(deviceCursor),
  EventEdge: edge(eventCursor),
  RecommendationEdge: edge(recommendationCursor),
};
