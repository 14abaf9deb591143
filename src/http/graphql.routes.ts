import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { callerOf, RejectedCredentialsError, type CredentialCheckers } from '../auth/credentials';
import { createRequestContext, type GraphQLContext } from '../graphql/context';
import { flushError, httpStatusFor, RETRY_AFTER_SECONDS } from '../graphql/errors';
import { MAX_BATCH_SIZE } from '../graphql/limits';
import { graphiqlPage } from './graphiql';

/** POST /graphql (and GET with a `query`) serve the API; GET from a browser serves GraphiQL. */
export function graphqlRoutes(
  app: FastifyInstance,
  options: { apollo: ApolloServer<GraphQLContext>; credentials: CredentialCheckers; graphiql: boolean },
  done: () => void,
): void {
  const { credentials } = options;
  const handler = fastifyApolloHandler(options.apollo, {
    context: async (request: FastifyRequest) => createRequestContext(request.id, await authenticated(request), credentials.tokens),
  });
  /**
   * The caller of `request`; credentials sent but not acceptable refuse the whole request with HTTP
   * 401. A failure to check them (the database down while looking up an API key) is answered as any
   * database failure is: 503 with Retry-After when unavailable, else a masked internal error.
   */
  const authenticated = async (request: FastifyRequest) => {
    try {
      return await callerOf(request.headers.authorization, credentials);
    } catch (error) {
      if (!(error instanceof RejectedCredentialsError)) {
        const { message, extensions } = flushError(error, request.log);
        const status = httpStatusFor([{ message, extensions }]) ?? 500;
        const headers = new Map(status === 503 ? [['retry-after', String(RETRY_AFTER_SECONDS)]] : []);
        throw new GraphQLError(message, { extensions: { ...extensions, http: { status, headers } } });
      }
      throw new GraphQLError(error.message, {
        extensions: {
          code: 'UNAUTHENTICATED',
          http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) },
        },
      });
    }
  };
  app.post('/graphql', (request: FastifyRequest, reply: FastifyReply) => {
    if (Array.isArray(request.body) && request.body.length > MAX_BATCH_SIZE) {
      return reply.code(400).send({
        errors: [
          {
            message: `A batched request may carry at most ${MAX_BATCH_SIZE} operations (got ${request.body.length})`,
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
    }
    return handler.call(app, request as never, reply as never);
  });
  app.get('/graphql', (request: FastifyRequest, reply: FastifyReply) => {
    const query = (request.query as Record<string, unknown> | undefined)?.query;
    if (options.graphiql && query === undefined && request.headers.accept?.includes('text/html')) {
      return reply.type('text/html; charset=utf-8').headers(graphiqlPage.headers).send(graphiqlPage.html);
    }
    return handler.call(app, request as never, reply as never);
  });
  done();
}
