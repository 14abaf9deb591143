import Fastify, { type FastifyInstance } from 'fastify';
import type { Tokens } from '../auth/tokens';
import type { Exposure } from '../config';
import { authenticateApiKey } from '../services/api-key.service';
import { DatabaseStats } from '../db/database-stats';
import type { Orm } from '../db/orm';
import { createGraphQLServer, type GraphQLServerOptions } from '../graphql/server';
import { UnitOfWorkStats } from '../graphql/unit-of-work.plugin';
import type { Logger } from '../logger';
import { graphiqlAssetRoutes } from './graphiql';
import { graphqlRoutes } from './graphql.routes';
import { healthRoutes } from './health.routes';
import { metricsRoutes } from './metrics.routes';

export interface AppDependencies {
  readonly orm: Orm;
  readonly logger: Logger;
  /** Issues and checks access tokens. */
  readonly tokens: Tokens;
  /** Introspection, GraphiQL and schema hints in errors (see the configuration). */
  readonly exposure: Exposure;
  /** DataLoaders batch lookups (the default); false only to measure the N+1 they remove. */
  readonly dataloaders?: boolean;
  /** Tests only: extra schema to probe the unit of work with. */
  readonly graphqlExtension?: GraphQLServerOptions['extension'];
}

/** The HTTP application, ready to `listen` (main.ts) or to `inject` (tests). */
export async function buildApp({ orm, logger, tokens, exposure, dataloaders = true, graphqlExtension }: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger, return503OnClosing: true, bodyLimit: 16 * 1024 * 1024 });
  const stats = new UnitOfWorkStats();
  const apollo = createGraphQLServer({ orm, logger, stats, dataloaders, exposure, extension: graphqlExtension });
  await apollo.start();
  // app.close() stops taking requests and waits for those in flight (Fastify), then stops Apollo.
  app.addHook('onClose', () => apollo.stop());
  await app.register(healthRoutes, { orm });
  await app.register(metricsRoutes, { database: new DatabaseStats(orm), stats });
  // An API key is checked on a fork of its own, before the operation's unit of work exists.
  const apiKey = (secret: string) => authenticateApiKey({ em: orm.em.fork() }, secret);
  await app.register(graphqlRoutes, { apollo, credentials: { tokens, apiKey }, graphiql: exposure.graphiql });
  if (exposure.graphiql) await app.register(graphiqlAssetRoutes);
  return app;
}
