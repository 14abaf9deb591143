import type { FastifyInstance } from 'fastify';
import type { Orm } from '../db/orm';

/** `/healthz`: the process is up. `/readyz`: it can serve requests (the database answers). */
export function healthRoutes(app: FastifyInstance, options: { orm: Orm }, done: () => void): void {
  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await options.orm.em.getConnection().execute('select 1');
      return { status: 'ready' };
    } catch (error) {
      app.log.warn({ err: error }, 'readiness check failed: database unreachable');
      return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  done();
}
