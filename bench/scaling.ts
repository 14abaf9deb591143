// `npm run bench:scaling`: the API past one database server, measured side by side in one run. On a
// PostgreSQL primary with a streaming replica (the embedded PostgreSQL's binaries, both on this
// machine), S1, S2 and S4 run against one API process, two processes sharing the load, one and two
// with the replica taking the reads, and one through PgBouncer in transaction mode, in alternating
// rounds. Writes docs/performance/scaling.json and the generated section of docs/SCALING.md.
import path from 'node:path';
import { Client } from 'pg';
import { connectOrm } from '../src/db/orm';
import { startPgBouncer } from '../tests/support/pgbouncer';
import { startReplication } from '../tests/support/replication';
import { fmt, log, parseFlags, positiveInt, rotate, runMain, type Teardown } from './cli';
import { authorize, benchTokens } from './credentials';
import { BenchDatabase } from './database';
import { INGEST_BATCH } from './documents';
import { describeMachine, markdownTable, PERFORMANCE_DIR, textTable, writeJson, writeSection, type Table } from './report';
import { fire, loadFor, SCENARIOS, type LoadSettings, type ScenarioId } from './scenarios';
import { METRIC, type Metrics } from './metrics';
import { REPO_ROOT, ServerProcess, type ServerSpec } from './servers';
import { median } from './summary';

const USAGE = `npm run bench:scaling [-- options]
  --devices N              devices to seed (default 1000)
  --events-per-device N    readings per device (default 100)
  --rounds N               rounds of every scenario and setup (default 3)
  --seconds N              length of each run (default 10)
  --connections N          concurrent connections of each run, split between the processes (default 32)
The primary and its replica are started by the run (embedded PostgreSQL binaries); PgBouncer is Debian's
(/usr/sbin/pgbouncer, or PGBOUNCER_PATH).`;

const SCALING_MD = 'docs/SCALING.md';
const MEASURED: readonly ScenarioId[] = ['S1', 'S2', 'S4'];

/** One way of running the API: how many processes, and where their statements go. */
interface Setup {
  readonly name: string;
  readonly description: string;
  readonly processes: number;
  /** Where the processes connect (DATABASE_URL), and what else they are told. */
  readonly databaseUrl: string;
  readonly env: Readonly<Record<string, string>>;
}

/** One run of one scenario against one setup, its processes loaded at once. */
interface ScalingRun {
  readonly scenario: ScenarioId;
  readonly setup: string;
  readonly round: number;
  readonly requestsPerSec: number;
  /** The processes' medians' mean, and the worst of their 99th percentiles. */
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly errors: number;
  /** The share of the run's statements that went to the replica. */
  readonly onReplica: number;
}

/** The connections one setup held open at each server after the rounds: what stopping it closed. */
interface Footprint {
  readonly setup: string;
  readonly primary: number;
  readonly replica: number;
  /** The processes' own pools to the primary (or PgBouncer), each. */
  readonly poolPerProcess: readonly number[];
}

async function main(teardown: Teardown): Promise<void> {
  const args = process.argv.slice(2);
  const flags = parseFlags(args, ['devices', 'events-per-device', 'rounds', 'seconds', 'connections'], USAGE);
  const dataset = { devices: positiveInt('devices', flags.devices, 1_000), eventsPerDevice: positiveInt('events-per-device', flags['events-per-device'], 100) };
  const rounds = positiveInt('rounds', flags.rounds, 3);
  const load: LoadSettings = {
    seconds: positiveInt('seconds', flags.seconds, 10),
    connections: positiveInt('connections', flags.connections, 32),
    ingestConnections: 2,
    ingestOperations: 10,
    readingsPerOperation: INGEST_BATCH,
  };

  log('starting a PostgreSQL primary and a streaming replica of it');
  const replication = await startReplication({ logStatements: false });
  teardown.add('stop the primary and the replica', () => replication.close());
  const database = await BenchDatabase.create(teardown, replication.primary.url);
  const replicaUrl = Object.assign(new URL(database.url), { port: new URL(replication.replica.url).port }).toString();
  const orm = await connectOrm(database.config(), database.url);
  try {
    await database.migrateAndSeed(orm, dataset);
  } finally {
    await orm.close();
  }
  await replication.caughtUp();
  const deviceIds = await database.deviceIds();
  const tokens = await benchTokens();
  authorize((await tokens.issue(await database.createAdmin())).token);
  const bouncer = await startPgBouncer(database.url, { serverConnections: 20 });
  teardown.add('stop PgBouncer', () => bouncer.stop());
  const serverUrls = { primary: database.url, replica: replicaUrl };

  const direct = { DATABASE_LISTEN_URL: database.url };
  const withReplica = { ...direct, DATABASE_REPLICA_URLS: replicaUrl };
  const setups: Setup[] = [
    { name: '1 process', description: 'one API process, every statement to the primary', processes: 1, databaseUrl: database.url, env: direct },
    { name: '2 processes', description: 'two API processes sharing the load, every statement to the primary', processes: 2, databaseUrl: database.url, env: direct },
    { name: '1 process + replica', description: 'one API process, queries read from the replica', processes: 1, databaseUrl: database.url, env: withReplica },
    { name: '2 processes + replica', description: 'two API processes, queries read from the replica', processes: 2, databaseUrl: database.url, env: withReplica },
    {
      name: '1 process via PgBouncer',
      description: 'one API process through PgBouncer 1.18 in transaction mode (20 server connections), DB_PREPARED_STATEMENTS=false',
      processes: 1,
      databaseUrl: bouncer.through(database.url),
      env: { ...direct, DB_PREPARED_STATEMENTS: 'false' },
    },
  ];
  const running = new Map<string, ServerProcess[]>();
  for (const setup of setups) {
    const processes: ServerProcess[] = [];
    for (let i = 1; i <= setup.processes; i++) {
      const spec: ServerSpec = { name: `${setup.name} #${i}`, description: setup.description, isApi: true, script: 'dist/src/main.js', cwd: REPO_ROOT, env: setup.env };
      processes.push(await ServerProcess.start(spec, setup.databaseUrl, teardown));
    }
    running.set(setup.name, processes);
  }

  const scenarios = SCENARIOS.filter((scenario) => MEASURED.includes(scenario.id));
  log('warming up: 2 s of each scenario on each setup');
  for (const scenario of scenarios) {
    for (const setup of setups) await loadAll(running.get(setup.name)!, scenario.id, deviceIds, { ...load, seconds: 2 });
  }
  await database.deleteWrites();

  const runs: ScalingRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}`);
    for (const scenario of scenarios) {
      for (const setup of rotate(setups, round - 1)) {
        const processes = running.get(setup.name)!;
        const before = await statementsByServer(processes);
        const result = await loadAll(processes, scenario.id, deviceIds, load);
        const after = await statementsByServer(processes);
        const sent = after.all - before.all;
        const run: ScalingRun = {
          scenario: scenario.id,
          setup: setup.name,
          round,
          ...result,
          onReplica: sent > 0 ? (after.replica - before.replica) / sent : 0,
        };
        runs.push(run);
        log(
          `  ${scenario.id} ${setup.name}: ${run.requestsPerSec.toFixed(1)} req/s, p50/p99 ${run.latencyMs.p50}/${run.latencyMs.p99} ms, ` +
            `errors ${run.errors}, ${(run.onReplica * 100).toFixed(0)}% of statements on the replica`,
        );
        if (scenario.writes) await database.deleteWrites();
      }
    }
  }

  // Each setup's connections under load: after 2 s of S4 on it alone, what stopping it closes at each
  // server (PgBouncer's own, once it stops too). Idle pools shrink: the other setups' are left as they are.
  const footprints: Footprint[] = [];
  for (const setup of setups) {
    const processes = running.get(setup.name)!;
    await loadAll(processes, 'S4', deviceIds, { ...load, seconds: 2 });
    const poolPerProcess = await Promise.all(processes.map(async (server) => poolOpen(await server.metrics())));
    const before = await openConnections(serverUrls);
    for (const server of processes) await server.stop();
    if (setup.databaseUrl !== database.url) await bouncer.stop();
    const after = await openConnections(serverUrls);
    footprints.push({ setup: setup.name, primary: before.primary - after.primary, replica: before.replica - after.replica, poolPerProcess });
  }

  const machine = describeMachine(database.server.version);
  const table = resultsTable(runs, setups);
  const connections = footprintTable(footprints);
  process.stdout.write(`\nMedians of ${rounds} rounds\n\n${textTable(table)}\n\nConnections\n\n${textTable(connections)}\n\n`);
  await writeJson(path.join(REPO_ROOT, PERFORMANCE_DIR, 'scaling.json'), {
    generatedAt: new Date().toISOString(),
    command: `npm run bench:scaling${args.length ? ` -- ${args.join(' ')}` : ''}`,
    machine,
    dataset,
    settings: { ...load, rounds },
    setups,
    runs,
    footprints,
  });
  const when = new Date().toISOString().replace('T', ' ').slice(0, 16);
  await writeSection(
    path.join(REPO_ROOT, SCALING_MD),
    'scaling',
    [
      `Generated by \`npm run bench:scaling${args.length ? ` -- ${args.join(' ')}` : ''}\` on ${when} UTC: ${machine.cores} cores (${machine.cpu}), ` +
        `${machine.memoryGiB} GiB, Node.js ${machine.node}, PostgreSQL ${machine.postgres} (primary and replica on this machine). ` +
        `${fmt(dataset.devices)} devices × ${fmt(dataset.eventsPerDevice)} readings; ${load.connections} connections per run (split between the processes), ` +
        `${load.seconds} s per run, ${rounds} rounds, setups in turn. Medians of the rounds; p50 is the processes' mean, p99 the worst of them.`,
      '',
      setups.map((setup) => `- **${setup.name}**: ${setup.description}.`).join('\n'),
      '',
      markdownTable(table),
      '',
      'The connections each setup held right after 2 s of S4 on it alone (what stopping it then closed at each server; for PgBouncer, its API process and then PgBouncer):',
      '',
      markdownTable(connections),
      '',
      `Raw runs: [performance/scaling.json](performance/scaling.json).`,
    ].join('\n'),
  );
  log(`wrote ${PERFORMANCE_DIR}/scaling.json and the generated section of ${SCALING_MD}`);
}

/** Loads every process of a setup at once, the connections split between them; their results together. */
async function loadAll(
  processes: readonly ServerProcess[],
  scenario: ScenarioId,
  deviceIds: readonly string[],
  settings: LoadSettings,
): Promise<Pick<ScalingRun, 'requestsPerSec' | 'latencyMs' | 'errors'>> {
  const share = { ...settings, connections: Math.max(1, Math.round(settings.connections / processes.length)) };
  const results = await Promise.all(processes.map((server) => fire(server.graphqlUrl, loadFor(scenario, deviceIds, share))));
  for (const server of processes) server.assertRunning();
  return {
    requestsPerSec: results.reduce((sum, { result, seconds }) => sum + result.requests.total / seconds, 0),
    latencyMs: {
      p50: Math.round((results.reduce((sum, { result }) => sum + result.latency.p50, 0) / results.length) * 10) / 10,
      p99: Math.max(...results.map(({ result }) => result.latency.p99)),
    },
    errors: results.reduce((sum, { result }) => sum + result.errors + result.mismatches + result.non2xx, 0),
  };
}

/** The statements the processes have sent so far: all, and those to the replica. */
async function statementsByServer(processes: readonly ServerProcess[]): Promise<{ all: number; replica: number }> {
  let all = 0;
  let replica = 0;
  for (const server of processes) {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    for (const [, name, value] of text.matchAll(/^aquamind_sql_statements_by_server_total\{server="([^"]+)"\} (\S+)$/gm)) {
      all += Number(value);
      if (name !== 'primary') replica += Number(value);
    }
  }
  return { all, replica };
}

/** Client connections open at each server, but the bench's own (the API's pools, listeners and checks; PgBouncer's). */
async function openConnections(urls: { primary: string; replica: string }): Promise<{ primary: number; replica: number }> {
  const count = async (url: string) => {
    const client = new Client({ connectionString: url, application_name: 'aquamind-bench' });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>(
        "select count(*) from pg_stat_activity where backend_type = 'client backend' and application_name <> 'aquamind-bench' and pid <> pg_backend_pid()",
      );
      return Number(rows[0]!.count);
    } finally {
      await client.end();
    }
  };
  return { primary: await count(urls.primary), replica: await count(urls.replica) };
}

/** The pool's open connections (used and idle), from a process's metrics. */
function poolOpen(metrics: Metrics): number {
  return (metrics.get(METRIC.poolUsed) ?? 0) + (metrics.get('aquamind_db_pool_free') ?? 0);
}

function footprintTable(footprints: readonly Footprint[]): Table {
  return {
    headers: ['setup', 'pool per process (primary or PgBouncer)', 'at the primary', 'at the replica'],
    rows: footprints.map((footprint) => [footprint.setup, footprint.poolPerProcess.join(' + '), String(footprint.primary), String(footprint.replica)]),
  };
}

/** Medians per scenario and setup, with each setup's throughput as a ratio of one process's. */
function resultsTable(runs: readonly ScalingRun[], setups: readonly Setup[]): Table {
  const rows: string[][] = [];
  for (const scenario of MEASURED) {
    const of = (setup: string) => runs.filter((run) => run.scenario === scenario && run.setup === setup);
    const single = median(of(setups[0]!.name).map((run) => run.requestsPerSec));
    for (const setup of setups) {
      const mine = of(setup.name);
      if (mine.length === 0) continue;
      const rps = median(mine.map((run) => run.requestsPerSec));
      rows.push([
        scenario,
        setup.name,
        rps.toFixed(0),
        (rps / single).toFixed(2),
        median(mine.map((run) => run.latencyMs.p50)).toFixed(1),
        median(mine.map((run) => run.latencyMs.p99)).toFixed(0),
        String(mine.reduce((sum, run) => sum + run.errors, 0)),
        `${(median(mine.map((run) => run.onReplica)) * 100).toFixed(0)}%`,
      ]);
    }
  }
  return {
    headers: ['scenario', 'setup', 'req/s', '÷ 1 process', 'p50 ms', 'p99 ms', 'errors', 'statements on the replica'],
    rows,
  };
}

runMain(main);
