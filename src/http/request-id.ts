import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** What a client's `X-Request-Id` may be to be kept: short, and safe in any log or header. */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A request's id: the client's `X-Request-Id` when it is one we can keep, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && CLIENT_ID.test(sent) ? sent : randomUUID();
}

/** Every response names its request's id (`X-Request-Id`), as every log line of the request does (`reqId`). */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
}
