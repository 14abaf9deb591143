import type { FastifyInstance } from 'fastify';
import { getOperationAST, GraphQLError, OperationTypeNode, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { activeRoles } from '../auth/actor';
import { liveApiKeys } from '../auth/api-keys';
import type { Admission } from '../auth/admission';
import { callerName, type Caller } from '../auth/caller';
import type { Orm } from '../db/orm';
import type { EventFeed } from '../graphql/event-feed';
import { createErrorFormatter } from '../graphql/errors';
import { aliasLimit, depthLimit, directiveLimit, MAX_ALIASES, MAX_DIRECTIVES, MAX_QUERY_DEPTH, MAX_TOKENS } from '../graphql/limits';
import { subscriptionContext } from '../graphql/subscriptions';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

/** The largest message a client may send on the socket. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long a client has, once connected, to send `connection_init`. */
const CONNECTION_INIT_MS = 5_000;
/** Subscriptions running at once on one socket. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 20;
/** Sockets open at once for one caller (a user's token, or an API key). */
export const MAX_SOCKETS_PER_CALLER = 10;
/** Close code of a socket over its caller's limit. */
const TOO_MANY_SOCKETS = 4429;
/**
 * Close code of a socket whose client does not keep up with its subscriptions: graphql-ws sends a
 * result only once the previous one is written, so readings wait in the feed, at most
 * MAX_QUEUED_READINGS per subscription; past it, the socket is closed, and what waited is freed.
 */
const TOO_SLOW = 4420;
/** How long a too-slow socket's close may wait for its client before the connection is cut. */
const SLOW_CLOSE_MS = 5_000;
/** WebSocket's own code for an endpoint going away (a server shutting down). */
const GOING_AWAY = 1001;
/** How often the callers of open sockets are checked again: a deactivated user, a revoked key, an expired token or a changed role is cut off within it. */
export const RECHECK_MS = 2_000;
/** Close code of a socket whose caller's credentials or standing changed while it was open. */
const FORBIDDEN = 4403;
/** At shutdown, how long the ended subscriptions' `complete` messages may take to go out. */
const COMPLETE_WAIT_MS = 1_000;

/** Who opened a socket, as it was when it was accepted. */
type Standing = {
  readonly caller: Exclude<Caller, { kind: 'anonymous' }>;
  readonly name: string;
  /** The role the caller had when the socket was accepted (a change of it closes the socket). */
  readonly role: string;
  readonly authorization: unknown;
  /** Set when the server closes the socket because its credentials are no longer accepted. */
  closingFor?: 'forbidden';
};

/** A graphql-ws connection once accepted. */
interface Connection {
  readonly subscriptions: Record<string, unknown>;
  readonly extra: Standing & { readonly socket: WebSocket };
}

/**
 * GraphQL subscriptions over a WebSocket at `/graphql` (the graphql-ws protocol), on the HTTP server's
 * port. The caller signs in with `connection_init`'s payload `{ authorization: "Bearer …" }`; without
 * acceptable credentials the socket is closed with 4403. Only subscriptions run here: queries and
 * mutations go over HTTP, through the unit of work. Shutdown ends every subscription and closes the
 * sockets with 1001.
 */
export function serveSubscriptions(
  app: FastifyInstance,
  options: { schema: GraphQLSchema; admission: Admission; orm: Orm; feed: EventFeed; dataloaders: boolean; logger: Logger; metrics: Metrics },
): void {
  const { schema, admission, orm, feed, dataloaders, logger, metrics } = options;
  metrics.subscriptionSockets.set(0);
  const formatError = createErrorFormatter(logger);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let stopping = false;
  app.server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // A server shutting down takes no new socket (as /readyz says 503).
    if (stopping) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });
  const socketsOf = new Map<string, number>();
  /** The open connections' graphql-ws contexts (their running subscriptions, and who opened them). */
  const connections = new Set<Connection>();
  const rules = [...specifiedRules, depthLimit(MAX_QUERY_DEPTH), aliasLimit(MAX_ALIASES), directiveLimit(MAX_DIRECTIVES)];

  useServer<{ authorization?: unknown }, Standing>(
    {
      schema,
      connectionInitWaitTimeout: CONNECTION_INIT_MS,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        let caller: Caller;
        try {
          caller = await admission.callerOf(typeof authorization === 'string' ? authorization : undefined);
        } catch {
          return false;
        }
        const name = callerName(caller);
        if (name === null || caller.kind === 'anonymous') return false;
        const role = (await activeRoles({ em: orm.em.fork() }, [caller.userId])).get(caller.userId);
        if (role === undefined) return false;
        const open = socketsOf.get(name) ?? 0;
        if (open >= MAX_SOCKETS_PER_CALLER) {
          ctx.extra.socket.close(TOO_MANY_SOCKETS, `At most ${MAX_SOCKETS_PER_CALLER} sockets at once per caller`);
          return false;
        }
        socketsOf.set(name, open + 1);
        Object.assign(ctx.extra, { caller, name, role, authorization });
        connections.add(ctx as Connection);
        metrics.subscriptionSockets.inc();
        return true;
      },
      onClose: (ctx) => {
        if (connections.delete(ctx as Connection)) metrics.subscriptionSockets.dec();
        const { name } = ctx.extra;
        if (name === undefined) return;
        const open = (socketsOf.get(name) ?? 1) - 1;
        if (open > 0) socketsOf.set(name, open);
        else socketsOf.delete(name);
      },
      onSubscribe: (ctx, id, payload) => {
        // graphql-ws holds this subscription's place already: the others count.
        if (Object.keys(ctx.subscriptions).filter((other) => other !== id).length >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions at once per socket`, { extensions: { code: 'BAD_REQUEST' } })];
        }
        let document;
        try {
          document = parse(payload.query, { maxTokens: MAX_TOKENS });
        } catch (error) {
          return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        if (getOperationAST(document, payload.operationName)?.operation !== OperationTypeNode.SUBSCRIPTION) {
          return [new GraphQLError('Only subscriptions run over the WebSocket: send queries and mutations as HTTP POST /graphql', { extensions: { code: 'BAD_REQUEST' } })];
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: subscriptionContext({
            orm,
            caller: ctx.extra.caller!,
            tokens: admission.tokens,
            feed,
            dataloaders,
            socket: {
              tooSlow: () => {
                const { socket } = ctx.extra;
                socket.close(TOO_SLOW, 'Too slow: readings piled up for this client; page `events` from the last reading, then subscribe again');
                // A client that reads nothing would never take the close frame either.
                setTimeout(() => socket.terminate(), SLOW_CLOSE_MS).unref();
              },
              get closingFor() {
                return ctx.extra.closingFor;
              },
            },
          }),
        };
      },
      // Every result's errors get their code, as over HTTP (the one error mapping).
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : result,
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) if (!error.extensions?.code) logger.error({ err: error }, 'subscription error');
      },
    },
    sockets,
  );

  // Authorization stays current while a socket is open: its caller is checked again every RECHECK_MS,
  // every socket's in two statements (the users' roles, the keys not revoked).
  const recheck = async () => {
    const open = [...connections];
    if (open.length === 0) return;
    const em = orm.em.fork();
    const roles = await activeRoles({ em }, [...new Set(open.map((ctx) => ctx.extra.caller.userId))]);
    const keyIds = open.flatMap(({ extra: { caller } }) => (caller.kind === 'apiKey' ? [caller.keyId] : []));
    const liveKeys = await liveApiKeys({ em }, [...new Set(keyIds)]);
    for (const ctx of open) {
      const { caller, name, role, authorization, socket } = ctx.extra;
      const standing =
        roles.get(caller.userId) === role &&
        // A key not revoked; a token still valid (not expired), by its signature, without the database.
        (caller.kind === 'apiKey'
          ? liveKeys.has(caller.keyId)
          : await admission.callerOf(typeof authorization === 'string' ? authorization : undefined).then(
              (again) => callerName(again) === name,
              () => false,
            ));
      if (!standing) {
        ctx.extra.closingFor = 'forbidden';
        socket.close(FORBIDDEN, 'Forbidden: the credentials of this socket are no longer accepted; connect again');
      }
    }
  };
  const rechecking = setInterval(() => {
    recheck().catch((error: unknown) => logger.warn({ err: error }, 'subscribers could not be checked again'));
  }, RECHECK_MS);
  rechecking.unref();

  app.addHook('preClose', async () => {
    stopping = true;
    clearInterval(rechecking);
    // Every subscription ends and its client gets `complete` (sent once graphql-ws sees its end), then
    // every socket closes as going away.
    await feed.stop();
    for (let waited = 0; [...connections].some((ctx) => Object.keys(ctx.subscriptions).length > 0) && waited < COMPLETE_WAIT_MS; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const socket of sockets.clients) socket.close(GOING_AWAY, 'The server is shutting down');
  });
}
