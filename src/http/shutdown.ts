import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger';

/** Whether the server is draining: closing, answering what it has received, taking nothing new. */
export interface Drain {
  isDraining(): boolean;
}

/**
 * Makes `app.close()` a shutdown that always ends, within `graceMs`:
 *
 * - from its first step (Fastify's `preClose`), every response closes its connection
 *   (`Connection: close`), including the responses of requests already running, so that no
 *   keep-alive connection outlives the response it was busy with (Fastify marks only the requests
 *   that arrive after closing began);
 * - Node's `server.close()` then stops accepting connections and closes the idle ones; requests that
 *   arrive on a connection still open are answered (Fastify's `return503OnClosing` is off, see app.ts);
 * - once `graceMs` have passed, whatever connection is left is closed, operations still running are
 *   stopped at their next statement (`onGraceOver`), and the close completes.
 *
 * `/readyz` answers 503 from the first step, so that a load balancer stops sending new work.
 */
export function drainOnClose(
  app: FastifyInstance,
  { graceMs, logger, onGraceOver = () => {} }: { graceMs: number; logger: Logger; onGraceOver?: () => void },
): Drain {
  let draining = false;
  let timer: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    draining = true;
    timer = setTimeout(() => {
      logger.warn({ graceMs }, 'shutdown grace period over: closing the connections still open');
      // Operations still running stop at their next statement (a mutation rolls back), so that the pool can close.
      onGraceOver();
      app.server.closeAllConnections();
    }, graceMs);
    timer.unref();
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', (_instance, done) => {
    clearTimeout(timer);
    done();
  });
  return { isDraining: () => draining };
}
