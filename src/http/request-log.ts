import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One line per request at `info`: a GraphQL operation's own line (`graphql operation`, written by the
 * unit of work), or, for a request refused before it became an operation (401, 404, 415, …),
 * Fastify's `request completed`, with its status. Fastify's request lines are otherwise at `debug`
 * (`incoming request`, and `request completed` of every request).
 */
export class OneLinePerRequest extends LogController {
  constructor(private readonly becameOperation: (request: FastifyRequest) => boolean) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (reply.statusCode >= 400 && !this.becameOperation(request)) reply.log.info(line, 'request completed');
    else reply.log.debug(line, 'request completed');
  }
}
