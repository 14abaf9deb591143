import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics';

/** `/metrics`: every metric of this instance, in Prometheus' text format (docs/OPERATIONS.md lists them). */
export function metricsRoutes(app: FastifyInstance, options: { metrics: Metrics }, done: () => void): void {
  const { registry } = options.metrics;
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  done();
}
