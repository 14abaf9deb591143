import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fmt, log } from './cli';
import {
  dashboardBody,
  DASHBOARD_PAGE,
  hasGraphQLErrors,
  INGEST_BATCH,
  ingestBody,
  MIX,
  mixedBody,
  MIXED_DASHBOARD_PAGE,
  deviceBody,
  pick,
  recordBody,
} from './documents';
import { requestHeaders } from './credentials';
import { graphqlOk } from './http';
import { METRIC, startSampler } from './metrics';
import type { Dialect } from './dialect';
import type { ServerProcess } from './servers';

export type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4';

/** One load pattern of the benchmark. */
export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  /** Runs against the API variants only: the baseline answers S1 and S2 alone. */
  readonly apiOnly: boolean;
  /** Writes readings, which run.ts deletes after each run. */
  readonly writes: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'S1', title: 'point lookup: device(id) with its owner, a random id per request', apiOnly: false, writes: false },
  {
    id: 'S2',
    title: `dashboard: devices(first: ${DASHBOARD_PAGE}), each with owner, latest event, 10 events, 12 monthly totals`,
    apiOnly: false,
    writes: false,
  },
  { id: 'S3', title: `ingest: recordEvents with ${INGEST_BATCH.toLocaleString('en-US')} readings per operation`, apiOnly: true, writes: true },
  {
    id: 'S4',
    title: `mixed: ${percent(MIX.device)} S1, ${percent(MIX.dashboard)} S2 with first: ${MIXED_DASHBOARD_PAGE}, ${percent(MIX.record)} recordEvent`,
    apiOnly: true,
    writes: true,
  },
];

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** How hard and how long each run loads a server. */
export interface LoadSettings {
  /** Length of an S1, S2 or S4 run. */
  readonly seconds: number;
  readonly connections: number;
  /** S3 sends a fixed number of large operations over a few connections, after one warm-up operation. */
  readonly ingestConnections: number;
  readonly ingestOperations: number;
  readonly readingsPerOperation: number;
}

/** What one run of one scenario against one server measured. */
export interface RunResult {
  readonly scenario: ScenarioId;
  readonly variant: string;
  readonly round: number;
  /** The machine's 1-minute load average as the run started: other work on the machine skews a run. */
  readonly loadAverage: number;
  readonly connections: number;
  /** Wall time of the run. */
  readonly seconds: number;
  /** Responses received (any status). */
  readonly requests: number;
  readonly requestsPerSec: number;
  /** S3 only: readings recorded per second. */
  readonly readingsPerSec: number | null;
  /** Latency of 2xx responses (autocannon leaves the others out). */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly non2xx: number;
  /** Connection errors, timeouts and responses with GraphQL `errors`, together. */
  readonly errors: number;
  readonly errorDetail: { readonly transport: number; readonly timeouts: number; readonly graphql: number };
  /** Most pooled connections in use at one 100 ms sample of /metrics. */
  readonly poolUsedMax: number | null;
  /** `aquamind_db_pool_used_peak` after the run (most at once since the server started). */
  readonly poolUsedPeak: number | null;
  readonly rssPeakMb: number | null;
  /** RSS right after the run. */
  readonly rssAfterMb: number | null;
  /**
   * The server process's CPU time per response over the run, in µs: a steadier figure than req/s on a
   * small machine, where the load generator and PostgreSQL share the cores (null when not readable).
   */
  readonly cpuMicrosPerRequest: { readonly user: number; readonly system: number } | null;
}

/** Runs one scenario against one server, sampling its pool and memory meanwhile. */
export async function runScenario(
  scenario: Scenario,
  server: ServerProcess,
  deviceIds: readonly string[],
  settings: LoadSettings,
  round: number,
): Promise<RunResult> {
  const load = loadFor(scenario.id, deviceIds, settings, server.spec.dialect);
  if (scenario.id === 'S3') await graphqlOk(server.graphqlUrl, load.body!, `${server.name} S3 warm-up`);
  const loadAverage = loadavg()[0]!;
  const sampler = startSampler(server);
  const cpuBefore = await server.cpu();
  const { result, seconds } = await fire(server.graphqlUrl, load, terminalTicker(`${scenario.id} ${server.name}`, load));
  const peaks = await sampler.stop();
  server.assertRunning();
  const [metrics, rssAfter, cpuAfter] = await Promise.all([server.metrics(), server.rss(), server.cpu()]);

  const requests = result.requests.total;
  const mb = (bytes: number | null) => (bytes === null ? null : bytes / 1024 / 1024);
  const run: RunResult = {
    scenario: scenario.id,
    variant: server.name,
    round,
    loadAverage,
    connections: load.connections,
    seconds,
    requests,
    requestsPerSec: requests / seconds,
    readingsPerSec: scenario.id === 'S3' ? (result['2xx'] * settings.readingsPerOperation) / seconds : null,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors + result.mismatches,
    errorDetail: { transport: result.errors - result.timeouts, timeouts: result.timeouts, graphql: result.mismatches },
    poolUsedMax: peaks.poolUsed,
    poolUsedPeak: metrics.get(METRIC.poolUsedPeak) ?? null,
    rssPeakMb: mb(peaks.rssBytes),
    rssAfterMb: mb(rssAfter),
    cpuMicrosPerRequest:
      cpuBefore && cpuAfter && requests > 0
        ? { user: (cpuAfter.user - cpuBefore.user) / requests, system: (cpuAfter.system - cpuBefore.system) / requests }
        : null,
  };
  const readings = run.readingsPerSec === null ? '' : `, ${fmt(run.readingsPerSec)} readings/s`;
  log(
    `  ${scenario.id} ${server.name}: ${run.requestsPerSec.toFixed(1)} req/s${readings}, ` +
      `p50/p90/p99 ${run.latencyMs.p50}/${run.latencyMs.p90}/${run.latencyMs.p99} ms, ` +
      `non-2xx ${run.non2xx}, errors ${run.errors}, pool ≤ ${run.poolUsedMax ?? '–'}, RSS ≤ ${run.rssPeakMb?.toFixed(0) ?? '–'} MB, ` +
      `CPU ${run.cpuMicrosPerRequest ? `${run.cpuMicrosPerRequest.user.toFixed(0)} user + ${run.cpuMicrosPerRequest.system.toFixed(0)} kernel µs/request` : '–'}`,
  );
  return run;
}

/** A short untimed load, so that the first measured round does not pay for JIT compilation and cold caches. */
export async function warmUp(scenario: Scenario, server: ServerProcess, deviceIds: readonly string[], settings: LoadSettings, seconds: number): Promise<void> {
  const load = loadFor(scenario.id, deviceIds, { ...settings, seconds }, server.spec.dialect);
  await fire(server.graphqlUrl, load, terminalTicker(`warm-up ${scenario.id} ${server.name}`, load));
}

/**
 * SQL statements one operation costs on `server`: its statement counter before and after one request
 * sent alone. Null when the server has no such counter (an older API).
 */
export async function statementsPerOperation(server: ServerProcess, body: string, what: string): Promise<number | null> {
  const before = (await server.metrics()).get(METRIC.statements);
  if (before === undefined) return null;
  await graphqlOk(server.graphqlUrl, body, `${server.name} ${what}`);
  return (await server.metrics()).get(METRIC.statements)! - before;
}

/** Names of the single operations whose SQL statements are counted. */
export const PROBE = {
  device: 'S1',
  dashboard: (first: number) => `S2 first ${first}`,
  ingest: 'S3',
  record: 'recordEvent',
} as const;

/** The single operations whose statement counts the report shows; the baseline answers the reads only. */
export function statementProbes(deviceIds: readonly string[], settings: LoadSettings, isApi: boolean): Array<{ what: string; body: string }> {
  return [
    { what: PROBE.device, body: deviceBody(deviceIds[0]!) },
    // Several page sizes: the count must not grow with the page (no N+1).
    ...[5, MIXED_DASHBOARD_PAGE, DASHBOARD_PAGE, 100].map((first) => ({ what: PROBE.dashboard(first), body: dashboardBody(first) })),
    ...(isApi
      ? [
          { what: PROBE.ingest, body: ingestBody(deviceIds, settings.readingsPerOperation) },
          { what: PROBE.record, body: recordBody(deviceIds[0]!) },
        ]
      : []),
  ];
}

/** Statements of one operation of `scenario`, from the probes' counts; S4's is the mean weighted by its mix. */
export function statementsOf(scenario: ScenarioId, counts: Readonly<Record<string, number | null>>): number | null {
  const get = (probe: string) => counts[probe] ?? null;
  switch (scenario) {
    case 'S1':
      return get(PROBE.device);
    case 'S2':
      return get(PROBE.dashboard(DASHBOARD_PAGE));
    case 'S3':
      return get(PROBE.ingest);
    case 'S4': {
      const [device, dashboard, record] = [get(PROBE.device), get(PROBE.dashboard(MIXED_DASHBOARD_PAGE)), get(PROBE.record)];
      return device === null || dashboard === null || record === null ? null : MIX.device * device + MIX.dashboard * dashboard + MIX.record * record;
    }
  }
}

/** What autocannon sends: a fixed duration or a fixed number of requests, one body or a new one per request. */
export interface Load {
  readonly connections: number;
  readonly duration?: number;
  readonly amount?: number;
  readonly timeoutSeconds: number;
  readonly body?: string;
  /** A new body per request. */
  readonly nextBody?: () => string;
}

/**
 * The load of one scenario, its bodies in `dialect` when the server speaks an older API's names. S1's
 * bodies are made before the run, one per device, so that no variant's load costs the load generator
 * more than another's.
 */
export function loadFor(id: ScenarioId, deviceIds: readonly string[], settings: LoadSettings, dialect?: Dialect): Load {
  const speak = (body: string) => (dialect ? dialect.body(body) : body);
  const timed = { connections: settings.connections, duration: settings.seconds, timeoutSeconds: 10 };
  switch (id) {
    case 'S1': {
      const bodies = deviceIds.map((deviceId) => speak(deviceBody(deviceId)));
      return { ...timed, nextBody: () => pick(bodies) };
    }
    case 'S2':
      return { ...timed, body: speak(dashboardBody(DASHBOARD_PAGE)) };
    case 'S3':
      return {
        connections: settings.ingestConnections,
        amount: settings.ingestOperations,
        timeoutSeconds: 120,
        body: speak(ingestBody(deviceIds, settings.readingsPerOperation)),
      };
    case 'S4':
      return { ...timed, nextBody: () => speak(mixedBody(deviceIds)) };
  }
}

/** Called once a second during a load with the responses so far. */
export type Tick = (responses: number, elapsedSeconds: number) => void;

/**
 * Runs autocannon against the GraphQL endpoint `url` with `load`. Returns its result and the wall time
 * from the start to the last response: autocannon's own duration can overshoot a fixed-amount run by up
 * to a second.
 */
export async function fire(url: string, load: Load, onTick?: Tick): Promise<{ result: autocannon.Result; seconds: number }> {
  const started = performance.now();
  let lastResponse = started;
  let responses = 0;
  const request: autocannon.Request = {
    method: 'POST',
    ...(load.body !== undefined && { body: load.body }),
    ...(load.nextBody && { setupRequest: (req: autocannon.Request) => ({ ...req, body: load.nextBody!() }) }),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: requestHeaders,
        connections: load.connections,
        ...(load.duration !== undefined && { duration: load.duration }),
        ...(load.amount !== undefined && { amount: load.amount }),
        timeout: load.timeoutSeconds,
        requests: [request],
        // Any GraphQL error counts as an error, though it comes with HTTP 200 (autocannon calls it a mismatch).
        verifyBody: (body) => !hasGraphQLErrors(String(body)),
      },
      (error: unknown, result: autocannon.Result) => (error ? reject(new Error(`autocannon failed against ${url}`, { cause: error })) : resolve(result)),
    );
    instance.on('response', () => {
      responses++;
      lastResponse = performance.now();
    });
    if (onTick) instance.on('tick', () => onTick(responses, (performance.now() - started) / 1000));
  });
  const seconds = load.amount ? (lastResponse - started) / 1000 : result.duration;
  return { result, seconds };
}

/** A live counter on a terminal, rewritten in place; nothing when the output is piped (the run's summary line says it all). */
function terminalTicker(label: string, load: Load): Tick | undefined {
  if (!process.stdout.isTTY) return undefined;
  const total = load.duration ? `/${load.duration}` : '';
  return (responses, elapsed) => process.stdout.write(`\r\x1b[K  ${label}: ${elapsed.toFixed(0)}${total} s, ${fmt(responses)} responses`);
}
