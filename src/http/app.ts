import Fastify, { type FastifyInstance } from 'fastify';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { healthRoutes } from './health.routes';

export interface AppDependencies {
  readonly orm: Orm;
  readonly logger: Logger;
}

/** The HTTP application, ready to `listen` (main.ts) or to `inject` (tests). */
export async function buildApp({ orm, logger }: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger, return503OnClosing: true });
  await app.register(healthRoutes, { orm });
  return app;
}
