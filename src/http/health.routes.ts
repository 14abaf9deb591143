import type { FastifyInstance } from 'fastify';
import type { Orm } from '../db/orm';
import type { Drain } from './shutdown';

/** `/healthz`: the process is up. `/readyz`: it can serve requests (not shutting down, and the database answers). */
export function healthRoutes(app: FastifyInstance, options: { orm: Orm; drain: Drain }, done: () => void): void {
  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (options.drain.isDraining()) return reply.code(503).send({ status: 'unavailable', reason: 'shutting down' });
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
