import { groupBy } from '../src/shared/group-by';
import type { RunResult, ScenarioId } from './scenarios';
import { VARIANT } from './servers';

/** One scenario × variant over every round: medians of rates and latencies, totals of failures, peaks of resources. */
export interface Summary {
  readonly scenario: ScenarioId;
  readonly variant: string;
  readonly rounds: number;
  readonly requestsPerSec: number;
  readonly readingsPerSec: number | null;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number };
  /** Totals over the rounds: a failure must not be averaged away. */
  readonly non2xx: number;
  readonly errors: number;
  /** Highest over the rounds. */
  readonly poolUsedMax: number | null;
  readonly poolUsedPeak: number | null;
  readonly rssPeakMb: number | null;
  /** After the last round. */
  readonly rssAfterMb: number | null;
  /** The server's CPU time per response (µs, user + kernel), median of the rounds. */
  readonly cpuMicrosPerRequest: number | null;
}

/** A figure with its target, if it has one. */
export interface Figure {
  readonly name: string;
  readonly value: number | null;
  readonly unit?: string;
  readonly target: { readonly op: '≥' | '≤' | '<' | '='; readonly value: number } | null;
  /** null without a target or without a value. */
  readonly met: boolean | null;
}

const HOLDS: Record<NonNullable<Figure['target']>['op'], (value: number, target: number) => boolean> = {
  '≥': (value, target) => value >= target,
  '≤': (value, target) => value <= target,
  '<': (value, target) => value < target,
  '=': (value, target) => value === target,
};

/** A {@link Figure}, with `met` worked out from its target. */
export function figure(name: string, value: number | null, target: Figure['target'] = null, unit?: string): Figure {
  const met = target === null || value === null ? null : HOLDS[target.op](value, target.value);
  return { name, value, ...(unit && { unit }), target, met };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Folds every round's runs into one {@link Summary} per scenario and variant, in the order the runs first appear. */
export function summarise(runs: readonly RunResult[]): Summary[] {
  return [...groupBy(runs, (run) => `${run.scenario} ${run.variant}`).values()].map((group) => {
    const first = group[0]!;
    const last = group.reduce((a, b) => (b.round > a.round ? b : a));
    const readings = group.flatMap((run) => (run.readingsPerSec === null ? [] : [run.readingsPerSec]));
    const cpu = group.flatMap(({ cpuMicrosPerRequest: used }) => (used ? [used.user + used.system] : []));
    return {
      scenario: first.scenario,
      variant: first.variant,
      rounds: group.length,
      requestsPerSec: median(group.map((run) => run.requestsPerSec)),
      readingsPerSec: readings.length ? median(readings) : null,
      latencyMs: {
        p50: median(group.map((run) => run.latencyMs.p50)),
        p90: median(group.map((run) => run.latencyMs.p90)),
        p99: median(group.map((run) => run.latencyMs.p99)),
      },
      non2xx: sum(group.map((run) => run.non2xx)),
      errors: sum(group.map((run) => run.errors)),
      poolUsedMax: maxOf(group.map((run) => run.poolUsedMax)),
      poolUsedPeak: maxOf(group.map((run) => run.poolUsedPeak)),
      rssPeakMb: maxOf(group.map((run) => run.rssPeakMb)),
      rssAfterMb: last.rssAfterMb,
      cpuMicrosPerRequest: cpu.length ? median(cpu) : null,
    };
  });
}

/** The ratios the report states, with their targets: the API against the baseline, the loaders, itself at `compareVariant`. */
export function ratios(summaries: readonly Summary[], compareVariant?: string): Figure[] {
  const find = (scenario: ScenarioId, variant: string) => summaries.find((s) => s.scenario === scenario && s.variant === variant);
  const throughput = (s: Summary | undefined) => (s ? (s.readingsPerSec ?? s.requestsPerSec) : null);
  const divide = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
  const api = (scenario: ScenarioId) => find(scenario, VARIANT.api);
  const tailRatio = (scenario: ScenarioId) => {
    const s = api(scenario);
    return s ? divide(s.latencyMs.p99, s.latencyMs.p50) : null;
  };
  return [
    figure('S1 req/s: api ÷ baseline', divide(throughput(api('S1')), throughput(find('S1', VARIANT.baseline))), { op: '≥', value: 0.5 }),
    figure('S2 req/s: api ÷ baseline', divide(throughput(api('S2')), throughput(find('S2', VARIANT.baseline))), { op: '≥', value: 0.9 }),
    figure('S1 server CPU per request: api ÷ baseline', divide(api('S1')?.cpuMicrosPerRequest ?? null, find('S1', VARIANT.baseline)?.cpuMicrosPerRequest ?? null)),
    figure('S1 server CPU per request: api ÷ floor', divide(api('S1')?.cpuMicrosPerRequest ?? null, find('S1', VARIANT.floor)?.cpuMicrosPerRequest ?? null)),
    // What the stack allows: the floor is the API's HTTP server, Apollo and executor with no data layer.
    ...(['S1', 'S2'] as const).flatMap((scenario) => [
      figure(`${scenario} req/s: floor ÷ baseline`, divide(throughput(find(scenario, VARIANT.floor)), throughput(find(scenario, VARIANT.baseline)))),
      figure(`${scenario} req/s: api ÷ floor`, divide(throughput(api(scenario)), throughput(find(scenario, VARIANT.floor)))),
    ]),
    ...(['S1', 'S2', 'S4'] as const).map((scenario) =>
      figure(`${scenario} req/s: api ÷ api-no-loaders`, divide(throughput(api(scenario)), throughput(find(scenario, VARIANT.noLoaders)))),
    ),
    figure('S1 latency: api p99 ÷ p50', tailRatio('S1'), { op: '≤', value: 3 }),
    figure('S2 latency: api p99 ÷ p50', tailRatio('S2'), { op: '≤', value: 3 }),
    figure('S3 ingest: api readings/s', api('S3')?.readingsPerSec ?? null, { op: '≥', value: 50_000 }, 'readings/s'),
    // Before/after: throughput (higher is better) and tail latency (lower is better) against the API at the ref.
    ...(compareVariant
      ? (['S1', 'S2', 'S3', 'S4'] as const).flatMap((scenario) => {
          const before = find(scenario, compareVariant);
          return [
            figure(`${scenario} ${scenario === 'S3' ? 'readings/s' : 'req/s'}: api ÷ ${compareVariant}`, divide(throughput(api(scenario)), throughput(before))),
            figure(`${scenario} p99: api ÷ ${compareVariant}`, divide(api(scenario)?.latencyMs.p99 ?? null, before?.latencyMs.p99 ?? null)),
            figure(`${scenario} server CPU per request: api ÷ ${compareVariant}`, divide(api(scenario)?.cpuMicrosPerRequest ?? null, before?.cpuMicrosPerRequest ?? null)),
          ];
        })
      : []),
  ];
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function maxOf(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length ? Math.max(...present) : null;
}
