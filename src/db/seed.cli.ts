// `npm run seed`: the demo data; `npm run seed -- --devices 1000 --events-per-device 100`: a benchmark dataset.
import { parseArgs } from 'node:util';
import { runWithOrm } from './run-with-orm';
import { seedDemo, seedScale } from './seed/seeder';

const USAGE = 'usage: npm run seed [-- --devices N --events-per-device M]';

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
  return parseArgs({ options: { devices: { type: 'string' }, 'events-per-device': { type: 'string' } }, strict: true }).values;
}
try {
  args = parseOptions();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const scale = args.devices !== undefined || args['events-per-device'] !== undefined;
const devices = positiveInt('devices', args.devices, 1_000);
const eventsPerDevice = positiveInt('events-per-device', args['events-per-device'], 100);

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
    devices,
    eventsPerDevice,
    onProgress: (p) => {
      const seconds = (Date.now() - started) / 1000;
      const percent = p.totalEvents > 0 ? Math.round((100 * p.events) / p.totalEvents) : 100;
      process.stderr.write(
        `seed: devices ${p.devices}/${p.totalDevices}, events ${p.events}/${p.totalEvents} (${percent}%, ` +
          `${Math.round(p.events / Math.max(seconds, 0.001))} events/s)\n`,
      );
    },
  });
  logger.info({ ...result, ms: Date.now() - started }, result.devices > 0 ? 'benchmark data seeded' : 'benchmark data already present');
});
