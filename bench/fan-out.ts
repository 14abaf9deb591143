// `npm run bench:fanout -- --compare REF`: what delivering a reading costs the API, this tree's against
// REF's, side by side in alternating rounds on one freshly seeded database. Dashboards (graphql-ws
// subscribers, each the owner of one device, watching it with the nested selection a dashboard asks
// for) while readings are committed in two shapes: a burst (each `recordEvents` on one device, so one
// notification brings a subscriber many readings) and spread (each `recordEvents` over every watched
// device, one reading per subscriber per notification, as in the live run). Measures, per reading
// delivered: the API's CPU time and the SQL statements it sent (writes included, the same in both),
// and the wall time from the first write to the last delivery. Prints the medians and their ratios,
// and writes them to docs/performance/fan-out.json (docs/PERFORMANCE.md quotes them).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { connectOrm } from '../src/db/orm';
import { fmt, log, parseFlags, positiveInt, runMain, UsageError, type Teardown } from './cli';
import { authorize, benchTokens, requestHeaders } from './credentials';
import { BenchDatabase } from './database';
import { METRIC } from './metrics';
import { PERFORMANCE_DIR } from './report';
import { REPO_ROOT, serverSpecs, ServerProcess, VARIANT } from './servers';
import { median } from './summary';
import { buildAtRef } from './worktree';

const USAGE = `npm run bench:fanout -- --compare REF [options]
  --subscribers N   dashboards, one device each (default 20)
  --batch N         readings per recordEvents (default 100)
  --batches N       recordEvents per shape and round (default 40)
  --rounds N        rounds of each shape and variant (default 5)
Database: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL, else an embedded PostgreSQL.`;

const SUBSCRIPTION = `subscription ($deviceId: ID) {
  eventRecorded(deviceId: $deviceId) { id consumption occurredAt device { id name owner { username } latestEvent { id } } }
}`;
const RECORD = 'mutation ($inputs: [RecordEventInput!]!) { recordEvents(inputs: $inputs) { count } }';

type Shape = 'burst' | 'spread';

interface Sample {
  readonly cpuMsPerReading: number;
  readonly statementsPerReading: number;
  readonly seconds: number;
}

/** The dashboards, connected and subscribed; `heard()` counts the readings they have had. */
async function dashboards(api: ServerProcess, watchers: ReadonlyArray<{ deviceId: string; token: string }>) {
  let heard = 0;
  let failed: string | undefined;
  const clients: Client[] = watchers.map(({ deviceId, token }) => {
    const client = createClient({ url: `${api.baseUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    client.subscribe(
      { query: SUBSCRIPTION, variables: { deviceId } },
      {
        next: (result) => {
          if (result.errors || !result.data) failed ??= JSON.stringify(result);
          heard += 1;
        },
        error: (error) => (failed ??= String(error)),
        complete: () => undefined,
      },
    );
    return client;
  });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return {
    heard: () => heard,
    failed: () => failed,
    close: async () => {
      for (const client of clients) await client.dispose();
    },
  };
}

/** One round of `shape` against `api`: `batches` writes of `batch` readings, then every reading delivered. */
async function measure(api: ServerProcess, watchers: ReadonlyArray<{ deviceId: string; token: string }>, shape: Shape, batch: number, batches: number): Promise<Sample> {
  const subscribers = await dashboards(api, watchers);
  const before = await api.metrics();
  const started = performance.now();
  let seq = 0;
  for (let b = 0; b < batches; b++) {
    const inputs = Array.from({ length: batch }, (_, i) => ({
      deviceId: watchers[shape === 'burst' ? b % watchers.length : (b * batch + i) % watchers.length]!.deviceId,
      consumption: `${seq++}.00`,
      unit: 'L',
    }));
    const body = (await (await fetch(api.graphqlUrl, { method: 'POST', headers: requestHeaders, body: JSON.stringify({ query: RECORD, variables: { inputs } }) })).json()) as { errors?: unknown };
    if (body.errors) throw new Error(`${api.name}: a write failed: ${JSON.stringify(body.errors)}`);
  }
  const total = batch * batches;
  for (const deadline = performance.now() + 60_000; subscribers.heard() < total && performance.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1_000;
  const after = await api.metrics();
  await subscribers.close();
  if (subscribers.failed()) throw new Error(`${api.name}: a subscriber got ${subscribers.failed()}`);
  if (subscribers.heard() !== total) throw new Error(`${api.name}: ${subscribers.heard()} of ${total} readings delivered`);
  const delta = (name: string) => (after.get(name) ?? Number.NaN) - (before.get(name) ?? Number.NaN);
  return {
    cpuMsPerReading: (1_000 * delta('process_cpu_seconds_total')) / total,
    statementsPerReading: delta(METRIC.statements) / total,
    seconds,
  };
}

async function main(teardown: Teardown): Promise<void> {
  const values = parseFlags(process.argv.slice(2), ['compare', 'subscribers', 'batch', 'batches', 'rounds'], USAGE);
  if (!values.compare) throw new UsageError('--compare REF is required');
  const count = positiveInt('subscribers', values.subscribers, 20);
  const batch = positiveInt('batch', values.batch, 100);
  const batches = positiveInt('batches', values.batches, 40);
  const rounds = positiveInt('rounds', values.rounds, 5);

  const database = await BenchDatabase.create(teardown);
  const orm = await connectOrm(database.config(), database.url);
  try {
    await database.migrateAndSeed(orm, { devices: Math.max(count, 100), eventsPerDevice: 100 });
  } finally {
    await orm.close();
  }
  const watched = (await database.deviceIds()).slice(0, count);
  const tokens = await benchTokens();
  authorize((await tokens.issue(await database.createAdmin())).token);
  const owners = await database.ownDevices(watched);
  const watchers = await Promise.all(watched.map(async (deviceId, i) => ({ deviceId, token: (await tokens.issue(owners[i]!)).token })));

  const built = await buildAtRef(REPO_ROOT, values.compare, teardown);
  const specs = serverSpecs(REPO_ROOT, { label: built.label, dir: built.dir }).filter((spec) => spec.name === VARIANT.api || spec.cwd === built.dir);
  const apis: ServerProcess[] = [];
  for (const spec of specs) apis.push(await ServerProcess.start(spec, database.url, teardown));

  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < rounds; round++) {
    for (const shape of ['burst', 'spread'] as const) {
      for (const api of round % 2 === 0 ? apis : [...apis].reverse()) {
        const sample = await measure(api, watchers, shape, batch, batches);
        const key = `${shape} ${api.name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        log(`round ${round + 1}: ${key}: ${sample.cpuMsPerReading.toFixed(3)} ms CPU, ${sample.statementsPerReading.toFixed(3)} statements per reading, ${sample.seconds.toFixed(2)} s`);
        await database.deleteWrites();
      }
    }
  }

  const [api, before] = apis as [ServerProcess, ServerProcess];
  const medians: Record<string, Sample> = {};
  for (const [key, list] of samples) {
    medians[key] = { cpuMsPerReading: median(list.map((s) => s.cpuMsPerReading)), statementsPerReading: median(list.map((s) => s.statementsPerReading)), seconds: median(list.map((s) => s.seconds)) };
  }
  process.stdout.write(`\n${fmt(count)} dashboards, ${batches} recordEvents of ${batch} per shape, medians of ${rounds} rounds; ratio = ${api.name} ÷ ${before.name}\n\n`);
  process.stdout.write('| shape | variant | CPU ms / reading | statements / reading | seconds |\n|---|---|---|---|---|\n');
  for (const shape of ['burst', 'spread'] as const) {
    const of = (server: ServerProcess) => medians[`${shape} ${server.name}`]!;
    for (const server of apis) {
      const { cpuMsPerReading, statementsPerReading, seconds } = of(server);
      process.stdout.write(`| ${shape} | ${server.name} | ${cpuMsPerReading.toFixed(3)} | ${statementsPerReading.toFixed(2)} | ${seconds.toFixed(2)} |\n`);
    }
    const ratio = (field: keyof Sample) => (of(api)[field] / of(before)[field]).toFixed(2);
    process.stdout.write(`| ${shape} | ratio | ${ratio('cpuMsPerReading')} | ${ratio('statementsPerReading')} | ${ratio('seconds')} |\n`);
  }
  const report = { date: new Date().toISOString(), compare: `${built.sha.slice(0, 7)} ${built.subject}`, subscribers: count, batch, batches, rounds, medians, samples: Object.fromEntries(samples) };
  await writeFile(path.join(REPO_ROOT, PERFORMANCE_DIR, 'fan-out.json'), `${JSON.stringify(report, null, 2)}\n`);
}

runMain(main);
