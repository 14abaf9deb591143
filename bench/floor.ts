// The floor of the stack: the API's own HTTP server, Apollo Server, executor, schema and scalars, answering
// S1 and S2 from memory, with no unit of work, no DataLoaders and no database after start-up. What a
// request costs here is what Fastify, Apollo and graphql-jit cost for it, so no data layer under this
// stack can make the API faster than this server: it shows which part of the gap to the baseline the data
// layer could still close. Its answers are the baseline's, read once at start-up (instants as Dates, as
// the API's records hold them). Started by run.ts as `node dist/bench/floor.js` with DATABASE_URL, PORT, HOST.
import { makeExecutableSchema } from '@graphql-tools/schema';
import Fastify from 'fastify';
import { Client } from 'pg';
import { callerOf } from '../src/auth/credentials';
import { tokensFor } from '../src/auth/signing-key';
import { loadConfig } from '../src/config';
import type { GraphQLContext } from '../src/graphql/context';
import { DateScalar, DateTimeScalar, DecimalScalar } from '../src/graphql/scalars';
import { createApollo, loadTypeDefs } from '../src/graphql/server';
import { drainOnClose } from '../src/http/shutdown';
import { BODY_LIMIT_BYTES } from '../src/http/app';
import { graphqlRoutes } from '../src/http/graphql.routes';
import { createLogger } from '../src/logger';
import { baselineAnswers, type BucketJson, type EventJson, type DeviceJson, type DeviceLookupJson } from './baseline-answers';
import { requiredEnv } from './cli';

/** The largest page S2 may ask for; smaller pages are its first rows. */
const MAX_PAGE = 100;

type Dated<T, K extends keyof T> = Omit<T, K> & { [P in K]: Date };

/** An S2 device as the API's records give it to the executor: instants as Dates. */
interface DashboardDevice extends Omit<DeviceJson, 'latestEvent' | 'events' | 'consumption'> {
  latestEvent: Dated<EventJson, 'occurredAt'> | null;
  events: { edges: Array<{ node: Dated<EventJson, 'occurredAt'> & { device: { id: string; name: string } } }> };
  consumption: Array<Dated<BucketJson, 'start'>>;
}

function dated(device: DeviceJson): DashboardDevice {
  const event = <E extends EventJson>(e: E) => ({ ...e, occurredAt: new Date(e.occurredAt) });
  return {
    ...device,
    latestEvent: device.latestEvent && event(device.latestEvent),
    events: { edges: device.events.edges.map((edge) => ({ node: event(edge.node) })) },
    consumption: device.consumption.map((bucket) => ({ ...bucket, start: new Date(bucket.start) })),
  };
}

/** Every device's S1 answer and the largest S2 page, as the baseline reads them. */
async function loadAnswers(databaseUrl: string): Promise<{ devices: Map<string, DeviceLookupJson>; page: Array<{ node: DashboardDevice }> }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const ids = (await client.query<{ id: string }>('select id from devices')).rows.map((row) => row.id);
  await client.end();
  const answers = baselineAnswers(databaseUrl, 'aquamind-floor');
  try {
    const devices = new Map<string, DeviceLookupJson>();
    for (const id of ids) {
      const { device } = await answers.deviceById(id);
      if (device) devices.set(id, device);
    }
    const page = (await answers.dashboard(MAX_PAGE)).devices.edges.map(({ node: device }) => ({ node: dated(device) }));
    return { devices, page };
  } finally {
    await answers.close();
  }
}

async function main(): Promise<void> {
  const { devices, page } = await loadAnswers(requiredEnv('DATABASE_URL'));
  const logger = createLogger({ logLevel: 'warn' });
  // Only the two root fields S1 and S2 reach; every other field is its object's property.
  const schema = makeExecutableSchema<GraphQLContext>({
    typeDefs: loadTypeDefs(),
    resolvers: {
      DateTime: DateTimeScalar,
      Date: DateScalar,
      Decimal: DecimalScalar,
      Query: {
        device: (_: unknown, { id }: { id: string }) => devices.get(id) ?? null,
        devices: (_: unknown, { first }: { first?: number | null }) => ({ edges: page.slice(0, first ?? 20) }),
      },
    },
  });
  // As the API runs in the bench (production): no introspection, no schema hints in errors.
  const apollo = createApollo(schema, logger, { introspection: false, schemaHints: false }, []);
  await apollo.start();
  // The same Fastify options and GraphQL route as the API (src/http/app.ts).
  const app = Fastify({ loggerInstance: logger, return503OnClosing: false, bodyLimit: BODY_LIMIT_BYTES });
  drainOnClose(app, { graceMs: 10_000, logger });
  // The same route checks credentials, as the API does: the bench's token under the run's signing key.
  const tokens = await tokensFor(loadConfig());
  const admission = { tokens, callerOf: (authorization?: string) => callerOf(authorization, { tokens, apiKey: async () => null }) };
  await app.register(graphqlRoutes, { apollo, admission, graphiql: false });
  app.get('/readyz', () => ({ status: 'ready' }));
  // No statement after start-up: the statement probes of the bench read 0.
  app.get('/metrics', (_, reply) => reply.type('text/plain; version=0.0.4').send('# TYPE aquamind_sql_statements_total counter\naquamind_sql_statements_total 0\n'));
  const stop = () => void app.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ port: Number(requiredEnv('PORT')), host: process.env.HOST ?? '127.0.0.1' });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
