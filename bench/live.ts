// `npm run bench:live`: subscriptions under load. The API (this tree's build) on a freshly seeded
// database; N graphql-ws subscribers, each the owner of one device watching it (a dashboard), while readings are
// committed in batches at a steady rate, spread over those devices. Measures the time from each
// batch's send to each reading's delivery, readings lost, duplicated or out of order per device, and
// the API's memory before and after; then S1 and S2 with the subscribers connected against none, in
// alternating rounds. Writes docs/performance/live.json and the live section of docs/PERFORMANCE.md.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Tokens } from '../src/auth/tokens';
import { connectOrm } from '../src/db/orm';
import { fmt, log, parseFlags, positiveInt, runMain, type Teardown } from './cli';
import { authorize, benchTokens, requestHeaders } from './credentials';
import { BenchDatabase } from './database';
import { PERFORMANCE_DIR, PERFORMANCE_MD, writeSection } from './report';
import { fire, loadFor, type LoadSettings } from './scenarios';
import { REPO_ROOT, serverSpecs, ServerProcess } from './servers';
import { median } from './summary';

const USAGE = `npm run bench:live [-- options]
  --subscribers N   graphql-ws subscribers, one device each (default 100)
  --rate N          readings committed per second (default 1000)
  --batch N         readings per recordEvents (default 100)
  --seconds N       length of the live run (default 60)
  --rounds N        rounds of S1 and S2 with and without subscribers (default 3)
Database: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL, else an embedded PostgreSQL.`;

const SUBSCRIPTION = 'subscription ($deviceId: ID) { eventRecorded(deviceId: $deviceId) { id consumption occurredAt device { id } } }';
const RECORD = 'mutation ($inputs: [RecordEventInput!]!) { recordEvents(inputs: $inputs) { count } }';

interface Subscriber {
  readonly client: Client;
  /** Sequence numbers heard, in the order heard. */
  readonly heard: number[];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A subscriber per device, each signed in as the device's owner (a dashboard), connected and subscribed. */
async function subscribe(baseUrl: string, watchers: ReadonlyArray<{ deviceId: string; token: string }>, onHeard: (seq: number) => void): Promise<Subscriber[]> {
  const subscribers = watchers.map(({ deviceId, token }) => {
    const client = createClient({ url: `${baseUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const subscriber: Subscriber = { client, heard: [] };
    client.subscribe(
      { query: SUBSCRIPTION, variables: { deviceId } },
      {
        next: (result) => {
          const consumption = (result.data as { eventRecorded?: { consumption: string } } | undefined)?.eventRecorded?.consumption;
          if (consumption === undefined) throw new Error(`a subscriber got ${JSON.stringify(result)}`);
          const seq = Number.parseInt(consumption, 10);
          subscriber.heard.push(seq);
          onHeard(seq);
        },
        error: (error) => log(`a subscriber ended with ${error instanceof Error ? error.message : JSON.stringify(error) || String((error as { code?: number }).code)}`),
        complete: () => undefined,
      },
    );
    return subscriber;
  });
  // The subscribe steps run on the server as the clients connect; give them time to.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return subscribers;
}

async function unsubscribe(subscribers: readonly Subscriber[]): Promise<void> {
  for (const subscriber of subscribers) await subscriber.client.dispose();
}

/** How the live run goes; see {@link USAGE}. */
export interface LiveOptions {
  readonly subscribers: number;
  readonly rate: number;
  readonly batch: number;
  readonly seconds: number;
  readonly rounds: number;
}

export const DEFAULT_LIVE: LiveOptions = { subscribers: 100, rate: 1_000, batch: 100, seconds: 60, rounds: 3 };

/**
 * The live run against `api` on `database` (seeded; at least `subscribers` devices in `deviceIds`):
 * S1 and S2 with the subscribers connected against none, then the subscribers under a steady write
 * load. Gives the watched devices owners of their own (run it after the other scenarios). Writes its
 * results to docs/performance/live.json and the live section of docs/PERFORMANCE.md.
 */
export async function runLive(database: BenchDatabase, api: ServerProcess, deviceIds: readonly string[], tokens: Tokens, options: LiveOptions): Promise<void> {
  const { subscribers: count, rate, batch, seconds, rounds } = options;
  if (deviceIds.length < count) throw new Error(`the live run needs ${count} devices, the dataset has ${deviceIds.length}`);
  const watched = deviceIds.slice(0, count);
  // Each subscriber is its device's owner, as a user's dashboard is (one caller each).
  const owners = await database.ownDevices(watched);
  const watchers = await Promise.all(watched.map(async (deviceId, i) => ({ deviceId, token: (await tokens.issue(owners[i]!)).token })));
  // S1 and S2 with the subscribers connected (and nothing written), against none, in alternating rounds.
  const load: LoadSettings = { seconds: 8, connections: 32, ingestConnections: 2, ingestOperations: 10, readingsPerOperation: batch };
  const runs: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const withSubscribers of round % 2 === 0 ? [false, true] : [true, false]) {
      const subscribers = withSubscribers ? await subscribe(api.baseUrl, watchers, () => undefined) : [];
      for (const id of ['S1', 'S2'] as const) {
        const { result, seconds: ran } = await fire(api.graphqlUrl, loadFor(id, deviceIds, load));
        const key = `${id} ${withSubscribers ? 'with' : 'without'}`;
        (runs[key] ??= []).push(result['2xx'] / ran);
        log(`round ${round + 1}: ${key} ${count} subscribers: ${fmt(result['2xx'] / ran)} req/s`);
      }
      await unsubscribe(subscribers);
    }
  }
  const s1 = median(runs['S1 with']!) / median(runs['S1 without']!);
  const s2 = median(runs['S2 with']!) / median(runs['S2 without']!);

  // The live run.
  const rssBefore = await api.rss();
  const cpuSeconds = async () => (await api.metrics()).get('process_cpu_seconds_total') ?? Number.NaN;
  const cpuBefore = await cpuSeconds();
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const subscribers = await subscribe(api.baseUrl, watchers, (seq) => {
    const sent = sentAt.get(Math.floor(seq / batch));
    if (sent !== undefined) latencies.push(performance.now() - sent);
  });
  const total = rate * seconds;
  const intervalMs = (1_000 * batch) / rate;
  const started = performance.now();
  let failures = 0;
  for (let first = 0; first < total; first += batch) {
    const due = started + (first / batch) * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const inputs = Array.from({ length: Math.min(batch, total - first) }, (_, i) => ({
      deviceId: watched[(first + i) % count],
      consumption: `${first + i}.00`,
      unit: 'L',
    }));
    sentAt.set(first / batch, performance.now());
    const response = await fetch(api.graphqlUrl, { method: 'POST', headers: requestHeaders, body: JSON.stringify({ query: RECORD, variables: { inputs } }) });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) failures += 1;
  }
  const writtenSeconds = (performance.now() - started) / 1_000;
  const heard = () => subscribers.reduce((sum, subscriber) => sum + subscriber.heard.length, 0);
  for (const deadline = performance.now() + 15_000; heard() < total && performance.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const rssAfter = await api.rss();
  const cpuDuring = (await cpuSeconds()) - cpuBefore;
  await unsubscribe(subscribers);

  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  subscribers.forEach((subscriber, i) => {
    const expected = Array.from({ length: total }, (_, seq) => seq).filter((seq) => seq % count === i);
    const unique = new Set(subscriber.heard);
    duplicated += subscriber.heard.length - unique.size;
    lost += expected.filter((seq) => !unique.has(seq)).length;
    for (let k = 1; k < subscriber.heard.length; k++) if (subscriber.heard[k]! < subscriber.heard[k - 1]!) outOfOrder += 1;
  });
  latencies.sort((a, b) => a - b);
  const report = {
    date: new Date().toISOString(),
    subscribers: count,
    readingsPerSecond: rate,
    batch,
    seconds,
    committed: total,
    writeFailures: failures,
    writtenSeconds: Number(writtenSeconds.toFixed(1)),
    delivered: heard(),
    lost,
    duplicated,
    outOfOrder,
    sendToDeliveryMs: { p50: Number(percentile(latencies, 50).toFixed(1)), p99: Number(percentile(latencies, 99).toFixed(1)), max: Number((latencies.at(-1) ?? Number.NaN).toFixed(1)) },
    apiRssMiB: { before: rssBefore && Math.round(rssBefore / 2 ** 20), after: rssAfter && Math.round(rssAfter / 2 ** 20) },
    /** The API's CPU time over the live run (writes and deliveries), per reading delivered. */
    apiCpuSeconds: Number(cpuDuring.toFixed(1)),
    apiCpuMsPerDelivery: Number(((1_000 * cpuDuring) / Math.max(1, heard())).toFixed(3)),
    withSubscribers: { s1: Number(s1.toFixed(2)), s2: Number(s2.toFixed(2)), runs },
  };
  log(JSON.stringify(report));
  await writeFile(path.join(REPO_ROOT, PERFORMANCE_DIR, 'live.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeSection(
    path.join(REPO_ROOT, PERFORMANCE_MD),
    'live',
    `## Latest live run (subscriptions)

_Written by \`npm run bench:live\`; the next run replaces everything between the markers._

- **Date**: ${report.date.slice(0, 16).replace('T', ' ')} UTC; the same machine and database as \`npm run bench\` (load generator, API and PostgreSQL share the cores)
- **Load**: ${count} graphql-ws subscribers, each on one device; ${fmt(rate)} readings/s committed in \`recordEvents\` of ${batch}, spread over those devices, for ${seconds} s

| figure | value | target |
|---|---|---|
| readings committed / delivered | ${fmt(total)} / ${fmt(report.delivered)} (${failures} failed writes, ${report.writtenSeconds} s to write) | all |
| lost / duplicated / out of order per device | ${lost} / ${duplicated} / ${outOfOrder} | 0 / 0 / 0 |
| from a batch's send to each reading's delivery, p50 / p99 / max | ${report.sendToDeliveryMs.p50} / ${report.sendToDeliveryMs.p99} / ${report.sendToDeliveryMs.max} ms | p99 ≤ 250 ms |
| API memory (RSS) before / after | ${report.apiRssMiB.before} / ${report.apiRssMiB.after} MiB | flat |
| API CPU over the run (writing and delivering), per reading delivered | ${report.apiCpuSeconds} s, ${report.apiCpuMsPerDelivery} ms | |
| S1 req/s, ${count} subscribers connected ÷ none (medians of ${rounds} alternating rounds) | ${report.withSubscribers.s1} | ≥ 0.95 |
| S2 req/s, the same | ${report.withSubscribers.s2} | ≥ 0.95 |

The time is measured from the send of the mutation that writes a reading, so it includes that
mutation's own time; commit-to-delivery is at most this.`,
  );
  log(`wrote ${path.relative(REPO_ROOT, PERFORMANCE_MD)} (live section) and docs/performance/live.json`);
}


async function main(teardown: Teardown): Promise<void> {
  const values = parseFlags(process.argv.slice(2), ['subscribers', 'rate', 'batch', 'seconds', 'rounds'], USAGE);
  const options: LiveOptions = {
    subscribers: positiveInt('subscribers', values.subscribers, DEFAULT_LIVE.subscribers),
    rate: positiveInt('rate', values.rate, DEFAULT_LIVE.rate),
    batch: positiveInt('batch', values.batch, DEFAULT_LIVE.batch),
    seconds: positiveInt('seconds', values.seconds, DEFAULT_LIVE.seconds),
    rounds: positiveInt('rounds', values.rounds, DEFAULT_LIVE.rounds),
  };
  const database = await BenchDatabase.create(teardown);
  const orm = await connectOrm(database.config(), database.url);
  try {
    await database.migrateAndSeed(orm, { devices: Math.max(options.subscribers, 100), eventsPerDevice: 100 });
  } finally {
    await orm.close();
  }
  const deviceIds = await database.deviceIds();
  const tokens = await benchTokens();
  authorize((await tokens.issue(await database.createAdmin())).token);
  const api = await ServerProcess.start(serverSpecs(REPO_ROOT)[0]!, database.url, teardown);
  await runLive(database, api, deviceIds, tokens, options);
}

// Run directly (`npm run bench:live`), not when `npm run bench` imports it.
if (require.main === module) runMain(main);
