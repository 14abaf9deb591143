import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createRequestContext, type GraphQLContext } from '../graphql/context';
import { MAX_BATCH_SIZE } from '../graphql/limits';
import { graphiqlPage } from './graphiql';

/** POST /graphql (and GET with a `query`) serve the API; GET from a browser serves GraphiQL. */
export function graphqlRoutes(app: FastifyInstance, options: { apollo: ApolloServer<GraphQLContext> }, done: () => void): void {
  const handler = fastifyApolloHandler(options.apollo, {
    context: async (request: FastifyRequest) => createRequestContext(request.id),
  });
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
    if (query === undefined && request.headers.accept?.includes('text/html')) {
      return reply.type('text/html; charset=utf-8').headers(graphiqlPage.headers).send(graphiqlPage.html);
    }
    return handler.call(app, request as never, reply as never);
  });
  done();
}
