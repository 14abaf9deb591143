import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Tokens } from '../auth/tokens';
import type { Exposure, RateLimitSettings } from '../config';
import { authenticateApiKey } from '../services/api-key.service';
import { RateLimiter } from '../services/rate-limits';
import { DatabaseStats } from '../db/database-stats';
import type { Orm } from '../db/orm';
import { createGraphQLServer, type GraphQLServerOptions } from '../graphql/server';
import { UnitOfWorkStats } from '../graphql/unit-of-work.plugin';
import type { Logger } from '../logger';
import { graphiqlAssetRoutes } from './graphiql';
import { graphqlRoutes } from './graphql.routes';
import { healthRoutes } from './health.routes';
import { echoRequestId, requestIdOf } from './request-id';
import { drainOnClose } from './shutdown';
import { metricsRoutes } from './metrics.routes';

export interface AppDependencies {
  readonly orm: Orm;
  readonly logger: Logger;
  /** Issues and checks access tokens. */
  readonly tokens: Tokens;
  /** Introspection, GraphiQL and schema hints in errors (see the configuration). */
  readonly exposure: Exposure;
  /** Budgets of query cost points and sign-in attempts, shared by every instance on the database. */
  readonly rateLimits: RateLimitSettings;
  /** How many proxies in front to trust for the client's address (0: the socket's peer is the client). */
  readonly trustedProxies?: number;
  /** How long one GraphQL operation may run before it is stopped (OPERATION_TIMEOUT). */
  readonly operationTimeoutMs: number;
  /** How long `close()` waits for requests in flight before it closes the connections left. */
  readonly shutdownGraceMs: number;
  /** DataLoaders batch lookups (the default); false only to measure the N+1 they remove. */
  readonly dataloaders?: boolean;
  /** Tests only: extra schema to probe the unit of work with. */
  readonly graphqlExtension?: GraphQLServerOptions['extension'];
}

const MiB = 1024 * 1024;
/**
 * The largest request body: the largest `recordEvents` (10,000 readings, every value at its longest)
 * is 1.43 MB as compact JSON and 1.97 MB pretty-printed with two-space indentation (tests/api.spec.ts
 * sends both); 4 MiB takes either with room, and nothing much larger.
 */
export const BODY_LIMIT_BYTES = 4 * MiB;

/** The HTTP application, ready to `listen` (main.ts) or to `inject` (tests). */
export async function buildApp(dependencies: AppDependencies): Promise<FastifyInstance> {
  const { orm, logger, tokens, exposure, operationTimeoutMs, dataloaders = true, graphqlExtension, trustedProxies = 0 } = dependencies;
  const app = Fastify({
    loggerInstance: logger,
    // X-Request-Id when a client sends a usable one, else a UUID: in every log line and echoed (request-id.ts).
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Requests that arrive on open connections while the server drains are answered (see shutdown.ts).
    return503OnClosing: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // The client's address (anonymous budgets, sign-in limits): X-Forwarded-For's, past this many proxies.
    trustProxy: (_address: string, hop: number) => hop < trustedProxies,
  });
  // A body over the limit is answered in GraphQL's shape, with a code a client can act on.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.send(error);
    return reply.code(413).send({
      errors: [{ message: `A request body may be at most ${BODY_LIMIT_BYTES / MiB} MiB`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
  });
  echoRequestId(app);
  const drain = drainOnClose(app, { graceMs: dependencies.shutdownGraceMs, logger });
  const stats = new UnitOfWorkStats();
  const apollo = createGraphQLServer({ orm, logger, stats, dataloaders, operationTimeoutMs, exposure, extension: graphqlExtension });
  await apollo.start();
  // app.close() stops taking requests and waits for those in flight (Fastify), then stops Apollo.
  app.addHook('onClose', () => apollo.stop());
  await app.register(healthRoutes, { orm, drain });
  await app.register(metricsRoutes, { database: new DatabaseStats(orm), stats });
  // An API key is checked on a fork of its own, before the operation's unit of work exists.
  const apiKey = (secret: string) => authenticateApiKey({ em: orm.em.fork() }, secret);
  const limiter = new RateLimiter(orm.em, {
    syncMs: dependencies.rateLimits.syncMs,
    onError: (error) => logger.warn({ err: error }, 'rate-limit counters not shared: requests are let through on local counts'),
  });
  limiter.start();
  // After the requests in flight: their last counts are written before the pool closes (main.ts).
  app.addHook('onClose', () => limiter.stop());
  await app.register(graphqlRoutes, {
    apollo,
    credentials: { tokens, apiKey },
    graphiql: exposure.graphiql,
    rateLimits: { limiter, budgets: dependencies.rateLimits.budgets },
  });
  if (exposure.graphiql) await app.register(graphiqlAssetRoutes);
  return app;
}
