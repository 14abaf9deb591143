// `npm run bench`: measures the real stack (Fastify + Apollo + MikroORM on PostgreSQL) over HTTP on
// 127.0.0.1 and writes docs/benchmarks.md. Uses BENCH_DATABASE_URL / TEST_DATABASE_URL / DATABASE_URL
// (a server where it may create a database), or starts an embedded PostgreSQL.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { connectOrm, migrate } from '../src/db/orm';
import { seedScale } from '../src/db/seed/seeder';
import { buildApp } from '../src/http/app';

const NODES = 1_000;
const EVENTS_PER_NODE = 100;
const silent = pino({ level: 'silent' });

const NODES_DEEP = `query ($first: Int!) { nodes(first: $first) { edges { node {
  owner { username } latestEvent { consumption }
  events(first: 10) { edges { node { id node { name } } } }
  consumption(granularity: MONTH, periods: 12) { total } } } } }`;
const EVENTS_DEEP = '{ events(first: 100) { edges { node { consumption node { name owner { username } } } } } }';
const SIMPLE = '{ nodes(first: 20) { edges { node { id name } } } }';

async function main(): Promise<void> {
  const { serverUrl, stopServer } = await databaseServer();
  const database = `aquamind_bench_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`create database ${database}`));
  const pg = await onServer(serverUrl, async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: url.toString() });
  const orm = await connectOrm(config, url.toString());
  try {
    await migrate(orm);
    const seedStart = performance.now();
    await seedScale(orm, { nodes: NODES, eventsPerNode: EVENTS_PER_NODE });
    const seedMs = performance.now() - seedStart;

    const app = await buildApp({ orm, logger: silent });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { errors?: unknown; data?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const knex = orm.em.getConnection().getKnex();
    const countStatements = async (work: () => Promise<unknown>) => {
      let n = 0;
      const listener = () => n++;
      knex.on('query', listener);
      await work();
      knex.removeListener('query', listener);
      return n;
    };

    const rows: string[][] = [];
    for (const first of [5, 100]) {
      const statements = await countStatements(() => gql(NODES_DEEP, { first }));
      const latency = await latencies(50, () => gql(NODES_DEEP, { first }));
      rows.push([`deep nodes query, first: ${first}`, String(statements), ...summary(latency)]);
    }
    const eventsStatements = await countStatements(() => gql(EVENTS_DEEP));
    rows.push(['events(first: 100) with node and owner', String(eventsStatements), ...summary(await latencies(50, () => gql(EVENTS_DEEP)))]);

    const first = (await gql('{ nodes(first: 1) { edges { node { id } } } }')) as { nodes: { edges: Array<{ node: { id: string } }> } };
    const nodeId = first.nodes.edges[0]!.node.id;
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ nodeId, consumption: (i % 100).toFixed(2), unit: 'L' }));
    const ingest = await latencies(3, () => gql('mutation ($inputs: [RecordEventInput!]!) { recordEvents(inputs: $inputs) { count } }', { inputs: batch }));
    rows.push(['recordEvents, 10,000 readings', '–', ...summary(ingest)]);

    // Throughput and memory: 16 concurrent clients, 10 s.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const { count, seconds } = await throughput(16, 10_000, () => gql(SIMPLE));
    global.gc?.();
    const rssAfter = process.memoryUsage().rss;
    const metrics = await (await fetch(endpoint.replace('/graphql', '/metrics'))).text();
    const metric = (name: string) => metrics.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1];

    await app.close();
    const report = renderReport({ pg, rows, seedMs, count, seconds, rssBefore, rssAfter, liveForks: metric('aquamind_unit_of_work_live_forks'), poolUsed: metric('aquamind_db_pool_used') });
    await mkdir(path.resolve(__dirname, '../docs'), { recursive: true });
    await writeFile(path.resolve(__dirname, '../docs/benchmarks.md'), report);
    process.stdout.write(report);
  } finally {
    await orm.close();
    await onServer(serverUrl, (c) => c.query(`drop database if exists ${database} with (force)`));
    await stopServer();
  }
}

async function databaseServer(): Promise<{ serverUrl: string; stopServer: () => Promise<void> }> {
  const external = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (external) return { serverUrl: external, stopServer: async () => undefined };
  const dataDir = await mkdtemp(path.join(tmpdir(), 'aquamind-bench-pg-'));
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir, port: 54399, database: 'postgres', logger: silent, persistent: false });
  return { serverUrl: server.url, stopServer: async () => { await server.stop(); await rm(dataDir, { recursive: true, force: true }); } };
}

async function onServer<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function latencies(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  await work(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

function summary(sorted: number[]): string[] {
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return [at(0.5).toFixed(1), at(0.95).toFixed(1)];
}

async function throughput(clients: number, ms: number, work: () => Promise<unknown>): Promise<{ count: number; seconds: number }> {
  const end = performance.now() + ms;
  let count = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        await work();
        count++;
      }
    }),
  );
  return { count, seconds: (performance.now() - start) / 1000 };
}

function renderReport(r: { pg: string; rows: string[][]; seedMs: number; count: number; seconds: number; rssBefore: number; rssAfter: number; liveForks?: string; poolUsed?: string }): string {
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  return `# Benchmarks

Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, ${mb(totalmem())} MiB,
Node.js ${process.version}, PostgreSQL ${r.pg}. The whole stack over HTTP on 127.0.0.1, one process, pool of 10.
Dataset: ${NODES} nodes × ${EVENTS_PER_NODE} readings, seeded in ${(r.seedMs / 1000).toFixed(1)} s (\`npm run seed -- --nodes ${NODES} --events-per-node ${EVENTS_PER_NODE}\`).

| operation | SQL statements | p50 ms | p95 ms |
|---|---|---|---|
${r.rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

Throughput: ${Math.round(r.count / r.seconds)} operations/s (\`nodes(first: 20)\`, 16 concurrent clients, ${r.seconds.toFixed(0)} s, ${r.count} operations).
Resident memory before/after that run: ${mb(r.rssBefore)} / ${mb(r.rssAfter)} MiB.
Afterwards: live forks ${r.liveForks}, pool connections in use ${r.poolUsed}.

Targets: statements per operation independent of page size (≤ 6 for the deep nodes query, ≤ 3 for the
events query); no fork or connection left after load.

Reading these: the statement counts are exact and repeatable; the times are not. On this 2-core VM,
with the client, the API and PostgreSQL sharing the cores, repeated runs of the same code have differed
by up to a third (throughput 239 to 406 operations/s). Ingestion pays for the three indexes on
\`events\` (measured once: about 1.0 s for 10,000 readings without the (occurred_at, id) index, 1.2 s
with it); that index keeps \`events(first: …)\` across all nodes from sorting the whole table.
`;
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
