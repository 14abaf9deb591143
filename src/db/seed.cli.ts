// `npm run seed`: the demo data; `npm run seed -- --nodes 1000 --events-per-node 100`: a benchmark dataset.
import { parseArgs } from 'node:util';
import { runWithOrm } from './run-with-orm';
import { seedDemo, seedScale } from './seed/seeder';

const USAGE = 'usage: npm run seed [-- --nodes N --events-per-node M]';

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10_000_000) {
    process.stderr.write(`--${name} must be a whole number from 1 to 10000000, got "${raw}"\n${USAGE}\n`);
    process.exit(2);
  }
  return Number(raw);
}

let args: ReturnType<typeof parseOptions>;
function parseOptions() {
  return parseArgs({ options: { nodes: { type: 'string' }, 'events-per-node': { type: 'string' } }, strict: true }).values;
}
try {
  args = parseOptions();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const scale = args.nodes !== undefined || args['events-per-node'] !== undefined;
const nodes = positiveInt('nodes', args.nodes, 1_000);
const eventsPerNode = positiveInt('events-per-node', args['events-per-node'], 100);

void runWithOrm(async (orm, { config, logger }) => {
  if (!scale) {
    const result = await seedDemo(orm, { adminPassword: config.adminPassword });
    if (!result.seeded) logger.info('demo data already present; nothing written');
    else logger.info(result.counts, 'demo data seeded');
    if (result.generatedAdminPassword) {
      process.stdout.write(`Demo admin: username "admin", password "${result.generatedAdminPassword}" (shown once)\n`);
    }
    return;
  }
  const started = Date.now();
  const result = await seedScale(orm, {
    nodes,
    eventsPerNode,
    onProgress: (p) => {
      const seconds = (Date.now() - started) / 1000;
      const percent = p.totalEvents > 0 ? Math.round((100 * p.events) / p.totalEvents) : 100;
      process.stderr.write(
        `seed: nodes ${p.nodes}/${p.totalNodes}, events ${p.events}/${p.totalEvents} (${percent}%, ` +
          `${Math.round(p.events / Math.max(seconds, 0.001))} events/s)\n`,
      );
    },
  });
  logger.info({ ...result, ms: Date.now() - started }, result.nodes > 0 ? 'benchmark data seeded' : 'benchmark data already present');
});
