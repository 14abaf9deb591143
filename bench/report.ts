import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, release, totalmem, type } from 'node:os';
import path from 'node:path';
import { fmt } from './cli';
import type { DatabaseServerInfo, Dataset } from './database';
import { statementsOf, type LoadSettings, type RunResult, type Scenario } from './scenarios';
import type { Figure, Summary } from './summary';

/** Where the machine-written results go, relative to the repository. */
export const DOCS_DIR = 'docs';
export const PERFORMANCE_DIR = 'docs/performance';
export const PERFORMANCE_MD = 'docs/PERFORMANCE.md';

/** The computer the numbers were measured on. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly postgres: string;
}

/** This machine, with the PostgreSQL version the database reported. */
export function describeMachine(postgres: string): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    postgres,
  };
}

/** SQL statements of one operation, by probe (`S1`, `S2 first 50`, …), per variant; null where not measurable. */
export type StatementCounts = Record<string, Record<string, number | null>>;

/** Everything `npm run bench` measured: the content of docs/performance/latest.json. */
export interface BenchReport {
  readonly generatedAt: string;
  readonly command: string;
  readonly machine: Machine;
  readonly database: DatabaseServerInfo;
  readonly dataset: Dataset & { readonly seedSeconds: number };
  readonly settings: LoadSettings & { readonly rounds: number; readonly warmupSeconds: number };
  readonly scenarios: readonly Scenario[];
  readonly variants: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly statements: StatementCounts;
  /** Every run of every round, in the order they ran. */
  readonly runs: readonly RunResult[];
  readonly medians: readonly Summary[];
  readonly ratios: readonly Figure[];
}

/** A table, rendered as aligned text for the terminal or as Markdown for the docs. */
export interface Table {
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** The main results: throughput, latency, failures and statement cost per scenario and variant. */
export function resultsTable(report: BenchReport): Table {
  return {
    headers: ['scenario', 'variant', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'non-2xx', 'errors', 'SQL/op', 'server CPU µs/req'],
    rows: report.medians.map((s) => [
      s.scenario,
      s.variant,
      rate(s.requestsPerSec) + (s.readingsPerSec === null ? '' : ` (${fmt(s.readingsPerSec)} readings/s)`),
      ms(s.latencyMs.p50),
      ms(s.latencyMs.p90),
      ms(s.latencyMs.p99),
      String(s.non2xx),
      String(s.errors),
      number(statementsOf(s.scenario, report.statements[s.variant] ?? {})),
      s.cpuMicrosPerRequest === null ? '–' : s.cpuMicrosPerRequest.toFixed(0),
    ]),
  };
}

/** Figures with their targets and whether each is met. */
export function targetsTable(figures: readonly Figure[]): Table {
  const show = (value: number, unit?: string) =>
    (value >= 100 ? fmt(value) : Number.isInteger(value) ? String(value) : value.toFixed(2)) + (unit ? ` ${unit}` : '');
  return {
    headers: ['figure', 'value', 'target', 'met'],
    rows: figures.map((f) => [
      f.name,
      f.value === null ? '–' : show(f.value, f.unit),
      f.target ? `${f.target.op} ${show(f.target.value, f.unit)}` : '',
      f.met === null ? '' : f.met ? 'yes' : '**no**',
    ]),
  };
}

/** Statements per single operation, per variant: the S2 columns show whether the count depends on the page size. */
export function statementsTable(report: BenchReport): Table {
  const probes = [...new Set(Object.values(report.statements).flatMap((counts) => Object.keys(counts)))];
  return {
    headers: ['variant', ...probes],
    rows: Object.entries(report.statements).map(([variant, counts]) => [variant, ...probes.map((probe) => number(counts[probe]))]),
  };
}

/** Pool use and server memory per scenario and variant. */
export function resourcesTable(report: BenchReport): Table {
  return {
    headers: ['scenario', 'variant', 'pool used (max sampled)', 'pool used peak (gauge)', 'RSS peak MB', 'RSS after MB'],
    rows: report.medians.map((s) => [s.scenario, s.variant, number(s.poolUsedMax), number(s.poolUsedPeak), megabytes(s.rssPeakMb), megabytes(s.rssAfterMb)]),
  };
}

/** A table as aligned plain text (numbers right-aligned). */
export function textTable(table: Table): string {
  const all = [table.headers, ...table.rows];
  const widths = table.headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const numeric = table.headers.map((_, i) => table.rows.every((row) => /^[-–\d]/.test(row[i] ?? '')));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(table.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

/** A table in Markdown. */
export function markdownTable(table: Table): string {
  const line = (row: readonly string[]) => `| ${row.join(' | ')} |`;
  return [line(table.headers), line(table.headers.map(() => '---')), ...table.rows.map(line)].join('\n');
}

/** The generated section of docs/PERFORMANCE.md (between the bench markers). */
export function benchMarkdown(report: BenchReport, charts: readonly string[]): string {
  const { machine, dataset, settings } = report;
  const when = report.generatedAt.replace('T', ' ').slice(0, 16);
  const chartLinks = charts.map((file) => `![${path.basename(file, '.svg')}](${path.relative(DOCS_DIR, file)})`);
  return [
    `## Latest benchmark run`,
    '',
    `_Written by \`npm run bench\`; the next run replaces everything between the markers._`,
    '',
    `- **Date**: ${when} UTC`,
    `- **Machine**: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}, Node.js ${machine.node}, ` +
      `PostgreSQL ${machine.postgres} ${report.database.kind === 'embedded' ? '(embedded)' : `at ${report.database.host}`}; ` +
      `load generator, servers and PostgreSQL share the cores (1-minute load average before the runs: ${loadRange(report.runs)})`,
    `- **Dataset**: ${fmt(dataset.devices)} devices × ${fmt(dataset.eventsPerDevice)} events = ${fmt(dataset.devices * dataset.eventsPerDevice)} readings ` +
      `(seeded in ${dataset.seedSeconds.toFixed(1)} s); readings that S3 and S4 write are deleted after each run`,
    `- **Command**: \`${report.command}\``,
    `- **Load**: autocannon, ${settings.connections} connections, ${settings.seconds} s per run; S3: ${settings.ingestConnections} connections, ` +
      `${settings.ingestOperations} operations of ${fmt(settings.readingsPerOperation)} readings after 1 warm-up operation; ` +
      `${settings.rounds} round(s), variants back to back in an order that rotates each round; ` +
      `medians across rounds (failures summed, peaks maximal)`,
    '',
    'Scenarios:',
    '',
    ...report.scenarios.map((s) => `- **${s.id}** ${s.title}${s.apiOnly ? ' (API variants only)' : ''}`),
    '',
    'Variants:',
    '',
    ...report.variants.map((v) => `- \`${v.name}\`: ${v.description}`),
    '',
    '### Results',
    '',
    markdownTable(resultsTable(report)),
    '',
    'SQL/op: statements of one operation sent alone (S2: first 50; S4: the mix-weighted mean).',
    'Errors: connection errors, timeouts and responses carrying GraphQL `errors`.',
    '',
    '### Ratios and targets',
    '',
    markdownTable(targetsTable(report.ratios)),
    '',
    '### SQL statements per operation',
    '',
    markdownTable(statementsTable(report)),
    '',
    `S2 first N: the dashboard with a page of N devices. S3: one recordEvents of ${fmt(settings.readingsPerOperation)} readings.`,
    '',
    '### Pool and memory',
    '',
    markdownTable(resourcesTable(report)),
    '',
    'Pool used: the most connections checked out at one 100 ms sample of `/metrics` during the runs, and the',
    "server's own peak gauge (since it started). RSS: the server process's resident memory, sampled every 100 ms.",
    '',
    '### Charts',
    '',
    ...chartLinks,
    '',
    `Every round's raw numbers: [performance/latest.json](performance/latest.json).`,
  ].join('\n');
}

/**
 * Replaces what lies between `<!-- name:begin -->` and `<!-- name:end -->` in `file`, leaving the rest
 * (the narrative people write) as it is. A missing file is created with a title and the markers; missing
 * markers are appended. A lone or misplaced marker is an error rather than a guess at what to replace.
 */
export async function writeSection(file: string, name: string, markdown: string): Promise<void> {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  let text = existsSync(file) ? await readFile(file, 'utf8') : `# Performance\n\n${begin}\n${end}\n`;
  if (!text.includes(begin) && !text.includes(end)) text = `${text.trimEnd()}\n\n${begin}\n${end}\n`;
  if (text.split(begin).length !== 2 || text.split(end).length !== 2 || text.indexOf(begin) > text.indexOf(end)) {
    throw new Error(`${file}: expected one ${begin} followed by one ${end}; fix the markers and run again`);
  }
  const before = text.slice(0, text.indexOf(begin) + begin.length);
  const after = text.slice(text.indexOf(end));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${before}\n${markdown.trim()}\n${after}`);
}

/** Writes `value` as indented JSON, making the folder if needed. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

function loadRange(runs: readonly RunResult[]): string {
  const loads = runs.map((run) => run.loadAverage);
  return loads.length ? `${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}` : '–';
}

function rate(value: number): string {
  return value >= 100 ? fmt(value) : value.toFixed(1);
}

function ms(value: number): string {
  return value >= 100 ? fmt(value) : String(Math.round(value * 10) / 10);
}

function megabytes(value: number | null): string {
  return value === null ? '–' : fmt(value);
}

function number(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return Number.isInteger(value) ? fmt(value) : value.toFixed(1);
}
