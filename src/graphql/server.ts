import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { Exposure } from '../config';
import type { Replicas } from '../db/replicas';
import type { Orm } from '../db/orm';
import { PUBLIC_FIELDS } from '../auth/access';
import { signedInUserId } from '../auth/actor';
import type { Logger } from '../logger';
import type { GraphQLContext } from './context';
import { compiledExecution } from './compiled-execution';
import { createCostLimitPlugin } from './cost.plugin';
import { createErrorFormatter } from './errors';
import { aliasLimit, depthLimit, directiveLimit, MAX_ALIASES, MAX_DIRECTIVES, MAX_QUERY_DEPTH, MAX_TOKENS } from './limits';
import { resolvers } from './resolvers';
import type { Metrics } from '../metrics';
import { withFieldPaths } from './diagnostics';
import { createUnitOfWorkPlugin, flushingEachField, type Diagnostics } from './unit-of-work.plugin';

/** The SDL files, the API's source of truth: `schema/` at the top of the repository (from src/ or dist/src/). */
const SCHEMA_DIR =
  [path.resolve(__dirname, '../../schema'), path.resolve(__dirname, '../../../schema')].find((dir) =>
    existsSync(path.join(dir, 'common.graphql')),
  ) ?? path.resolve(__dirname, '../../schema');

/** The schema's SDL, file by file. */
export function loadTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
}

type ResolverMaps = NonNullable<Extract<ApolloServerOptions<GraphQLContext>, { typeDefs: unknown }>['resolvers']>;
type ResolverMap = Exclude<ResolverMaps, unknown[]>;

export interface GraphQLServerOptions {
  readonly orm: Orm;
  readonly logger: Logger;
  readonly exposure: Pick<Exposure, 'introspection' | 'schemaHints'>;
  readonly metrics: Metrics;
  readonly dataloaders: boolean;
  /** How long an operation may run before it is stopped (OPERATION_TIMEOUT). */
  readonly operationTimeoutMs: number;
  /** A statement of an operation slower than this is logged at `warn`. */
  readonly slowStatementMs: number;
  readonly diagnostics: Diagnostics;
  /** The streaming replicas queries read from; none: every read goes to the primary. */
  readonly replicas?: Replicas;
  /** Extra schema for tests that probe the unit of work through fields the API itself does not have. */
  readonly extension?: { typeDefs: string; resolvers: ResolverMap };
}

/**
 * The resolver map with every root field but the public ones refusing an anonymous caller
 * (UNAUTHENTICATED) before it does anything. Nested fields are reached only through root fields.
 */
function withSignInRequired(map: ResolverMap): ResolverMap {
  const guarded: Record<string, unknown> = { ...map };
  for (const root of ['Query', 'Mutation'] as const) {
    const fields = (map as Partial<Record<typeof root, Record<string, GraphQLFieldResolver<unknown, GraphQLContext>>>>)[root];
    if (!fields) continue;
    guarded[root] = Object.fromEntries(
      Object.entries(fields).map(([name, resolve]) => [
        name,
        PUBLIC_FIELDS[root].includes(name)
          ? resolve
          : (parent: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
              signedInUserId(ctx.caller);
              return resolve(parent, args, ctx, info);
            },
      ]),
    );
  }
  return guarded as ResolverMap;
}

/** The resolver map with each Mutation field flushing its changes before its payload resolves (see the unit-of-work plugin). */
function withFlushingMutations(map: ResolverMap): ResolverMap {
  const mutation = (map as { Mutation?: Record<string, GraphQLFieldResolver<unknown, GraphQLContext>> }).Mutation;
  return mutation ? { ...map, Mutation: flushingEachField(mutation) } : map;
}

/**
 * The Apollo server: schema from `schema/`, one unit of work per operation, one error mapping; and the
 * schema itself, which subscriptions (over a WebSocket) run on too.
 */
export function createGraphQLServer(options: GraphQLServerOptions): { apollo: ApolloServer<GraphQLContext>; schema: GraphQLSchema } {
  const { orm, logger, metrics, dataloaders, operationTimeoutMs, slowStatementMs, diagnostics, replicas, extension, exposure } = options;
  const schema = makeExecutableSchema<GraphQLContext>({
    typeDefs: [...loadTypeDefs(), ...(extension ? [extension.typeDefs] : [])],
    resolvers: [resolvers as ResolverMap, ...(extension ? [extension.resolvers] : [])].map((map) => {
      const guarded = withFlushingMutations(withSignInRequired(map));
      return diagnostics.enabled ? withFieldPaths(guarded) : guarded;
    }),
  });
  const plugins = [createUnitOfWorkPlugin(orm, metrics, logger, { dataloaders, operationTimeoutMs, slowStatementMs, diagnostics, replicas })];
  return { apollo: createApollo(schema, logger, exposure, plugins), schema };
}

/**
 * Apollo as the API runs it for `schema`, with `plugins` first: the one place its options are set. The
 * bench's floor server (bench/floor.ts) runs it too, with no unit of work, to measure what it costs.
 */
export function createApollo(
  schema: GraphQLSchema,
  logger: Logger,
  exposure: Pick<Exposure, 'introspection' | 'schemaHints'>,
  plugins: ReadonlyArray<ApolloServerPlugin<GraphQLContext>>,
): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    gateway: compiledExecution(schema),
    // Each operation of a batch gets its own unit of work (see the plugin).
    allowBatchedHttpRequests: true,
    introspection: exposure.introspection,
    // No "Did you mean …?" naming fields to a client that guesses at the schema (production).
    hideSchemaDetailsFromClientErrors: !exposure.schemaHints,
    validationRules: [depthLimit(MAX_QUERY_DEPTH), aliasLimit(MAX_ALIASES), directiveLimit(MAX_DIRECTIVES)],
    parseOptions: { maxTokens: MAX_TOKENS },
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown order (HTTP, then the pool, then PostgreSQL); Apollo re-raising the signal would cut it short.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(logger),
    logger,
    plugins: [
      ...plugins,
      createCostLimitPlugin(),
      // GET /graphql in a browser is our own GraphiQL page (src/http), not Apollo's CDN-hosted one.
      ApolloServerPluginLandingPageDisabled(),
      // Both would hook every field resolution (cache hints, traces) for nothing we use: no CDN, no Apollo Studio.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
    ],
  });
}
