import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import type { Admission } from '../auth/admission';
import { ANONYMOUS, type Caller } from '../auth/caller';
import { RejectedCredentialsError } from '../auth/credentials';
import { UNLIMITED, type RequestBudget } from '../auth/rate-limits';
import { createRequestContext, type GraphQLContext } from '../graphql/context';
import { flushError, rateLimitedRequest, retryLaterFor } from '../graphql/errors';
import { MAX_BATCH_SIZE } from '../graphql/limits';
import { RateLimitedError } from '../shared/errors';
import { graphiqlPage } from './graphiql';

/** POST /graphql (and GET with a `query`) serve the API; GET from a browser serves GraphiQL. */
export function graphqlRoutes(
  app: FastifyInstance,
  options: {
    apollo: ApolloServer<GraphQLContext>;
    /** Who each request's caller is, and its rate limits (none in the bench's floor server: no rate-limit headers either). */
    admission: Admission;
    graphiql: boolean;
    /** Called for each request that becomes a GraphQL operation (its caller admitted), which logs its own line. */
    onOperation?: (request: FastifyRequest) => void;
  },
  done: () => void,
): void {
  const { admission } = options;
  /** Each request's rate limits, kept for its response headers. */
  const limits = new WeakMap<FastifyRequest, RequestBudget>();
  const limitsOf = (request: FastifyRequest, caller: Caller): RequestBudget | undefined => {
    let limit = limits.get(request);
    if (!limit && admission.limits) {
      limit = admission.limits(caller, request.ip);
      limits.set(request, limit);
    }
    return limit;
  };
  const handler = fastifyApolloHandler(options.apollo, {
    context: async (request: FastifyRequest) => {
      const caller = await authenticated(request);
      const limit = limitsOf(request, caller);
      try {
        await limit?.admit();
      } catch (error) {
        throw error instanceof RateLimitedError ? rateLimitedRequest(error) : error;
      }
      options.onOperation?.(request);
      return createRequestContext(request.id, caller, admission.tokens, limit ?? UNLIMITED);
    },
  });
  // Every response says where its caller's budget stands (an anonymous caller's: its address's).
  app.addHook('onSend', async (request, reply, payload) => {
    const limit = limitsOf(request, ANONYMOUS);
    if (limit) {
      const usage = await limit.usage();
      reply.header('x-ratelimit-limit', usage.limit);
      reply.header('x-ratelimit-remaining', usage.remaining);
      reply.header('x-ratelimit-reset', Math.ceil(usage.resetAt.getTime() / 1000));
    }
    return payload;
  });
  /**
   * The caller of `request`; credentials sent but not acceptable refuse the whole request with HTTP
   * 401. A failure to check them (the database down while looking up an API key) is answered as any
   * database failure is: 503 with Retry-After when unavailable, else a masked internal error.
   */
  const authenticated = async (request: FastifyRequest) => {
    try {
      return await admission.callerOf(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof RejectedCredentialsError)) {
        const { message, extensions } = flushError(error, request.log);
        const retry = retryLaterFor([{ message, extensions }]);
        const headers = new Map(retry ? [['retry-after', String(retry.retryAfterSeconds)]] : []);
        throw new GraphQLError(message, { extensions: { ...extensions, http: { status: retry?.status ?? 500, headers } } });
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
