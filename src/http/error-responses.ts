import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { flushError } from '../graphql/errors';

const MiB = 1024 * 1024;

/** A response in GraphQL's shape (`errors[].message`, `errors[].extensions.code`), for errors that never reach GraphQL. */
function sendError(reply: FastifyReply, status: number, message: string, code: string): FastifyReply {
  return reply.code(status).send({ errors: [{ message, extensions: { code } }] });
}

/**
 * Every error a client can get from this server has GraphQL's shape, the errors HTTP itself raises
 * too (before a request reaches GraphQL): a body that is not JSON, or too large, an unknown route.
 * A browser asking for `/` is taken to GraphiQL when it is served.
 */
export function errorsInGraphQLShape(app: FastifyInstance, { bodyLimitBytes, graphiql }: { bodyLimitBytes: number; graphiql: boolean }): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, `A request body may be at most ${bodyLimitBytes / MiB} MiB`, 'PAYLOAD_TOO_LARGE');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(
          reply,
          415,
          `Send the request as JSON, with the header \`Content-Type: application/json\` (got ${request.headers['content-type'] ? `\`${request.headers['content-type']}\`` : 'none'})`,
          'UNSUPPORTED_MEDIA_TYPE',
        );
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 400, 'The request body is empty: send a JSON object with a `query`', 'BAD_REQUEST');
      default:
        break;
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // A body that is not JSON: the parser's own message says where it broke.
      const message = error instanceof SyntaxError ? `The request body is not valid JSON: ${error.message}` : error.message;
      return sendError(reply, status, message, 'BAD_REQUEST');
    }
    const { message, extensions } = flushError(error, request.log);
    return reply.code(status).send({ errors: [{ message, extensions }] });
  });
  app.setNotFoundHandler((request, reply) => {
    if (graphiql && request.method === 'GET' && request.url === '/' && request.headers.accept?.includes('text/html')) {
      return reply.redirect('/graphql');
    }
    return sendError(reply, 404, `Nothing at ${request.method} ${request.url.split('?')[0]}: the API is POST /graphql (GET /graphql in a browser: GraphiQL)`, 'NOT_FOUND');
  });
}
