import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { startAdmission } from '../auth/admission';
import type { Tokens } from '../auth/tokens';
import type { Config } from '../config';
import { watchDatabase } from '../db/database-stats';
import { expireAllDeadlines } from '../db/deadline';
import { databaseUrlOf, type Orm } from '../db/orm';
import { Replicas } from '../db/replicas';
import { EventFeed } from '../graphql/event-feed';
import { createGraphQLServer, type GraphQLServerOptions } from '../graphql/server';
import type { Logger } from '../logger';
import { Metrics } from '../metrics';
import { errorsInGraphQLShape } from './error-responses';
import { graphiqlAssetRoutes } from './graphiql';
import { serveSubscriptions } from './subscriptions';
import { graphqlRoutes } from './graphql.routes';
import { healthRoutes } from './health.routes';
import { metricsRoutes } from './metrics.routes';
import { OneLinePerRequest } from './request-log';
import { echoRequestId, requestIdOf } from './request-id';
import { drainOnClose } from './shutdown';

/** What the app's behaviour is made of: the configuration's settings it uses. */
export type AppSettings = Pick<
  Config,
  'exposure' | 'dataloaders' | 'rateLimits' | 'operationTimeoutMs' | 'shutdownGraceMs' | 'trustedProxies' | 'diagnostics' | 'databaseListenUrl' | 'replicas'
> & { readonly db: Pick<Config['db'], 'slowStatementMs' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs'> };

export interface AppDependencies {
  readonly orm: Orm;
  readonly logger: Logger;
  /** Issues and checks access tokens. */
  readonly tokens: Tokens;
  /** The settings, from the configuration (src/config.ts says what each is). */
  readonly settings: AppSettings;
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
  const { orm, logger, tokens, settings, graphqlExtension } = dependencies;
  const { exposure, operationTimeoutMs, dataloaders, trustedProxies, diagnostics } = settings;
  /** Requests that became GraphQL operations: their operation line is their line in the log. */
  const operations = new WeakSet<FastifyRequest>();
  const app = Fastify({
    loggerInstance: logger,
    // X-Request-Id when a client sends a usable one, else a UUID: in every log line and echoed (request-id.ts).
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Requests that arrive on open connections while the server drains are answered (see shutdown.ts).
    return503OnClosing: false,
    // One line per request at info (request-log.ts), not Fastify's two.
    logController: new OneLinePerRequest((request) => operations.has(request)),
    bodyLimit: BODY_LIMIT_BYTES,
    // The client's address (anonymous budgets, sign-in limits): X-Forwarded-For's, past this many proxies.
    trustProxy: (_address: string, hop: number) => hop < trustedProxies,
  });
  errorsInGraphQLShape(app, { bodyLimitBytes: BODY_LIMIT_BYTES, graphiql: exposure.graphiql });
  echoRequestId(app);
  const drain = drainOnClose(app, { graceMs: settings.shutdownGraceMs, logger, onGraceOver: expireAllDeadlines });
  const metrics = new Metrics();
  watchDatabase(orm, metrics);
  // Queries read from the replicas that are well; checked before the first request.
  const listenUrl = settings.databaseListenUrl ?? databaseUrlOf(orm);
  const replicas = settings.replicas.urls.length > 0 ? new Replicas(orm, databaseUrlOf(orm), listenUrl, settings.replicas, logger, metrics) : undefined;
  await replicas?.start();
  const { apollo, schema } = createGraphQLServer({
    orm,
    logger,
    metrics,
    dataloaders,
    operationTimeoutMs,
    slowStatementMs: settings.db.slowStatementMs,
    diagnostics,
    replicas,
    exposure,
    extension: graphqlExtension,
  });
  await apollo.start();
  // app.close() stops taking requests and waits for those in flight (Fastify), then stops Apollo.
  app.addHook('onClose', () => apollo.stop());
  if (replicas) app.addHook('onClose', () => replicas.stop());
  await app.register(healthRoutes, { orm, drain });
  await app.register(metricsRoutes, { metrics });
  const admission = startAdmission(orm, tokens, settings.rateLimits, (error) =>
    logger.warn({ err: error }, 'rate-limit counters not shared: requests are let through on local counts'),
  );
  // After the requests in flight: their last counts are written before the pool closes (main.ts).
  app.addHook('onClose', () => admission.stop());
  await app.register(graphqlRoutes, { apollo, admission, graphiql: exposure.graphiql, onOperation: (request) => operations.add(request) });
  if (exposure.graphiql) await app.register(graphiqlAssetRoutes);
  // Readings pushed as they are committed: one listening connection, every subscriber of this instance.
  // The longest a writing transaction lasts: its operation's time, a last statement's (60 s when
  // unbounded), the idle time PostgreSQL allows in it, and a margin.
  const maxTransactionMs = operationTimeoutMs + (settings.db.statementTimeoutMs || 60_000) + settings.db.idleInTransactionTimeoutMs + 5_000;
  const feed = new EventFeed(orm, logger, metrics, maxTransactionMs);
  feed.start(listenUrl);
  serveSubscriptions(app, { schema, admission, orm, feed, dataloaders, logger, metrics });
  return app;
}
