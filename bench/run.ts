// `npm run bench`: the API under HTTP load next to the same API without DataLoaders, a plain node:http + pg
// baseline and, with --compare <ref>, the API at another commit. Each is a child process on 127.0.0.1
// against one freshly seeded database; autocannon drives four scenarios in alternating rounds. Writes
// docs/performance/latest.json, the charts beside it and the generated section of docs/PERFORMANCE.md.
import path from 'node:path';
import { connectOrm } from '../src/db/orm';
import { renderCharts } from './charts';
import { fmt, log, parseFlags, positiveInt, rotate, runMain, UsageError, type Teardown } from './cli';
import { authorize, benchTokens } from './credentials';
import { BenchDatabase, type Dataset } from './database';
import { INGEST_BATCH } from './documents';
import { checkSameAnswers } from './equivalence';
import {
  benchMarkdown,
  describeMachine,
  PERFORMANCE_DIR,
  PERFORMANCE_MD,
  resourcesTable,
  resultsTable,
  statementsTable,
  targetsTable,
  textTable,
  writeJson,
  writeSection,
  type BenchReport,
  type StatementCounts,
} from './report';
import {
  runScenario,
  SCENARIOS,
  statementProbes,
  statementsPerOperation,
  warmUp,
  type LoadSettings,
  type RunResult,
  type Scenario,
} from './scenarios';
import { REPO_ROOT, serverSpecs, ServerProcess, VARIANT } from './servers';
import { DEFAULT_LIVE, runLive } from './live';
import { ratios, summarise } from './summary';
import { dialectOf } from './dialect';
import { buildAtRef } from './worktree';

/** The --scenarios name of the subscriptions' live run. */
const LIVE = 'LIVE';

const USAGE = `npm run bench [-- options]
  --devices N              devices to seed (default 1000)
  --events-per-device N    readings per device (default 100)
  --rounds N             rounds of every scenario and variant (default 3)
  --seconds N            length of each S1, S2 and S4 run (default 10)
  --connections N        concurrent connections of S1, S2 and S4 (default 32)
  --warmup N             seconds of untimed S1, S2 (and S4) load per server before round 1 (default 2)
  --scenarios S1,S2,…    run only these scenarios (default all: S1 to S4, and LIVE, the subscriptions'
                         live run of npm run bench:live with its defaults, against the API only, last)
  --compare REF          also run the API as it was at git REF, as variant api@REF
Database: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (a server where it may create a database),
else an embedded PostgreSQL.`;

interface Options {
  readonly dataset: Dataset;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly load: LoadSettings;
  readonly scenarios: readonly Scenario[];
  /** Whether the subscriptions' live run (bench/live.ts) runs too, after the scenarios. */
  readonly live: boolean;
  readonly compare: string | undefined;
}

function parseOptions(args: string[]): Options {
  const values = parseFlags(args, ['devices', 'events-per-device', 'rounds', 'seconds', 'connections', 'warmup', 'scenarios', 'compare'], USAGE);
  const wanted = values.scenarios?.toUpperCase().split(',').map((id) => id.trim());
  const unknown = wanted?.filter((id) => id !== LIVE && !SCENARIOS.some((s) => s.id === id));
  if (unknown?.length) throw new UsageError(`--scenarios: unknown ${unknown.join(', ')} (there are ${[...SCENARIOS.map((s) => s.id), LIVE].join(', ')})`);
  return {
    dataset: { devices: positiveInt('devices', values.devices, 1_000), eventsPerDevice: positiveInt('events-per-device', values['events-per-device'], 100) },
    rounds: positiveInt('rounds', values.rounds, 3),
    warmupSeconds: values.warmup === '0' ? 0 : positiveInt('warmup', values.warmup, 2),
    load: {
      seconds: positiveInt('seconds', values.seconds, 10),
      connections: positiveInt('connections', values.connections, 32),
      ingestConnections: 2,
      ingestOperations: 10,
      readingsPerOperation: INGEST_BATCH,
    },
    scenarios: wanted ? SCENARIOS.filter((s) => wanted.includes(s.id)) : SCENARIOS,
    live: !wanted || wanted.includes(LIVE),
    compare: values.compare,
  };
}

async function main(teardown: Teardown): Promise<void> {
  const args = process.argv.slice(2);
  const options = parseOptions(args);
  const { dataset, load } = options;

  const database = await BenchDatabase.create(teardown);
  const machine = describeMachine(database.server.version);
  log(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node.js ${machine.node}, PostgreSQL ${machine.postgres}`);
  const orm = await connectOrm(database.config(), database.url);
  let seedSeconds: number;
  try {
    seedSeconds = await database.migrateAndSeed(orm, dataset);
  } finally {
    await orm.close();
  }
  const deviceIds = await database.deviceIds();
  // Every request acts as an ADMIN, who may see every row (the API refuses anonymous reads).
  const tokens = await benchTokens();
  authorize((await tokens.issue(await database.createAdmin())).token);

  const built = options.compare ? await buildAtRef(REPO_ROOT, options.compare, teardown) : undefined;
  const compare = built && { ...built, dialect: dialectOf(built.dir) };
  if (compare?.dialect) {
    log(`--compare ${compare.label}: the API there speaks ${compare.dialect.name}; its requests and answers are translated, its tables are views`);
    await database.run(compare.dialect.setup);
  }
  const specs = serverSpecs(REPO_ROOT, compare);
  const servers: ServerProcess[] = [];
  for (const spec of specs) servers.push(await ServerProcess.start(spec, database.url, teardown));

  log('checking that every server answers S1 and S2 exactly as the baseline does');
  await checkSameAnswers(servers, deviceIds);

  log('counting SQL statements per operation (one request each, sent alone)');
  const statements: StatementCounts = {};
  for (const server of servers) {
    const counts: Record<string, number | null> = {};
    for (const probe of statementProbes(deviceIds, load, server.spec.isApi)) {
      const { dialect } = server.spec;
      counts[probe.what] = await statementsPerOperation(server, dialect ? dialect.body(probe.body) : probe.body, probe.what);
    }
    statements[server.name] = counts;
    log(`  ${server.name}: ${Object.entries(counts).map(([what, n]) => `${what} ${n ?? '–'}`).join(', ')}`);
  }
  await database.deleteWrites();

  const runsOn = (scenario: Scenario) => servers.filter((server) => !scenario.apiOnly || server.spec.isApi);
  if (options.warmupSeconds > 0) {
    log(`warming up: ${options.warmupSeconds} s of each scenario but S3 on each server`);
    for (const scenario of options.scenarios.filter((s) => s.id !== 'S3')) {
      for (const server of runsOn(scenario)) await warmUp(scenario, server, deviceIds, load, options.warmupSeconds);
    }
    await database.deleteWrites();
  }

  const runs: RunResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    log(`round ${round}/${options.rounds}`);
    for (const scenario of options.scenarios) {
      // Variants back to back, starting with a different one each round, so none always runs first (or last).
      for (const server of rotate(runsOn(scenario), round - 1)) {
        runs.push(await runScenario(scenario, server, deviceIds, load, round));
        if (scenario.writes) {
          const deleted = await database.deleteWrites();
          log(`    deleted the ${fmt(deleted)} readings the run wrote`);
        }
      }
    }
  }

  if (options.scenarios.length > 0) await report(options, { args, machine, database, dataset, seedSeconds, load, specs, compare, statements, runs });
  if (options.live) {
    log('the live run (subscriptions), against the API');
    await runLive(database, servers.find((server) => server.name === VARIANT.api)!, deviceIds, tokens, DEFAULT_LIVE);
  }
}

/** The scenarios' report: printed, and written to docs/performance/ and the bench section of docs/PERFORMANCE.md. */
async function report(
  options: Options,
  {
    args,
    machine,
    database,
    dataset,
    seedSeconds,
    load,
    specs,
    compare,
    statements,
    runs,
  }: {
    args: readonly string[];
    machine: ReturnType<typeof describeMachine>;
    database: BenchDatabase;
    dataset: Dataset;
    seedSeconds: number;
    load: LoadSettings;
    specs: ReturnType<typeof serverSpecs>;
    compare: { dir: string; sha: string; subject: string } | undefined;
    statements: StatementCounts;
    runs: RunResult[];
  },
): Promise<void> {
  const medians = summarise(runs);
  const bench: BenchReport = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    machine,
    database: database.server,
    dataset: { ...dataset, seedSeconds },
    settings: { ...load, rounds: options.rounds, warmupSeconds: options.warmupSeconds },
    scenarios: options.scenarios,
    variants: specs.map((spec) => ({
      name: spec.name,
      description: compare && spec.cwd === compare.dir ? `${spec.description} (${compare.sha.slice(0, 7)} "${compare.subject}")` : spec.description,
    })),
    statements,
    runs,
    medians,
    ratios: ratios(medians, specs.find((spec) => spec.cwd === compare?.dir)?.name),
  };

  const print = (title: string, table: string) => process.stdout.write(`\n${title}\n\n${table}\n`);
  print(`Results (median of ${options.rounds} round(s))`, textTable(resultsTable(bench)));
  print('Ratios and targets', textTable(targetsTable(bench.ratios)).replaceAll('**', ''));
  print('SQL statements per operation', textTable(statementsTable(bench)));
  print('Pool and memory', textTable(resourcesTable(bench)));
  process.stdout.write('\n');

  const outDir = path.join(REPO_ROOT, PERFORMANCE_DIR);
  await writeJson(path.join(outDir, 'latest.json'), bench);
  const charts = await renderCharts(medians, options.rounds, outDir);
  await writeSection(path.join(REPO_ROOT, PERFORMANCE_MD), 'bench', benchMarkdown(bench, charts.map((file) => path.relative(REPO_ROOT, file))));
  log(`wrote ${PERFORMANCE_DIR}/latest.json, ${charts.map((file) => path.relative(REPO_ROOT, file)).join(', ')} and the bench section of ${PERFORMANCE_MD}`);
}

runMain(main);
