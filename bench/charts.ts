import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import type { Summary } from './summary';

/**
 * Renders the throughput and latency charts as SVG files in `dir` and returns their paths. vega and
 * vega-lite are ES modules with top-level await, so they are loaded with import(), which this CommonJS
 * build keeps as a real dynamic import (module: node16).
 */
export async function renderCharts(summaries: readonly Summary[], rounds: number, dir: string): Promise<string[]> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const variants = [...new Set(summaries.map((s) => s.variant))];
  const scenarios = [...new Set(summaries.map((s) => s.scenario))];
  const charts: Array<[string, TopLevelSpec]> = [
    ['throughput.svg', throughputSpec(summaries, rounds, variants, scenarios)],
    ['latency.svg', latencySpec(summaries, rounds, variants, scenarios)],
  ];
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, spec] of charts) {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    const file = path.join(dir, name);
    await writeFile(file, await view.toSVG());
    view.finalize();
    files.push(file);
  }
  return files;
}

/**
 * Grouped bars: one group per scenario, one bar per variant. Each scenario has its own y scale: S3
 * counts readings per second and is three orders of magnitude apart from the others.
 */
function throughputSpec(summaries: readonly Summary[], rounds: number, variants: string[], scenarios: string[]): TopLevelSpec {
  const values = summaries.map((s) => ({
    scenario: s.readingsPerSec === null ? `${s.scenario} (req/s)` : `${s.scenario} (readings/s)`,
    variant: s.variant,
    value: Math.round(s.readingsPerSec ?? s.requestsPerSec),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Throughput per scenario and variant', subtitle: `median of ${rounds} round(s); higher is better` },
    data: { values },
    facet: { column: { field: 'scenario', type: 'nominal', title: null, sort: scenarioOrder(values, scenarios) } },
    spec: {
      width: 150,
      height: 220,
      encoding: {
        x: { field: 'variant', type: 'nominal', title: null, sort: variants, axis: { labelAngle: -35 } },
        y: { field: 'value', type: 'quantitative', title: 'per second' },
      },
      layer: [
        { mark: 'bar', encoding: { color: { field: 'variant', type: 'nominal', sort: variants, legend: null } } },
        { mark: { type: 'text', dy: -6, fontSize: 10 }, encoding: { text: { field: 'value', type: 'quantitative', format: ',' } } },
      ],
    },
    // Each panel shows only the variants that ran it (the baseline runs S1 and S2 only).
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** p50, p90 and p99 side by side for each variant, one panel per scenario (each with its own scale). */
function latencySpec(summaries: readonly Summary[], rounds: number, variants: string[], scenarios: string[]): TopLevelSpec {
  const values = summaries.flatMap((s) =>
    (['p50', 'p90', 'p99'] as const).map((percentile) => ({ scenario: s.scenario, variant: s.variant, percentile, ms: s.latencyMs[percentile] })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Latency per scenario and variant', subtitle: `p50 / p90 / p99 in ms, median of ${rounds} round(s); lower is better` },
    data: { values },
    facet: { column: { field: 'scenario', type: 'nominal', title: null, sort: scenarios } },
    spec: {
      width: 170,
      height: 220,
      mark: 'bar',
      encoding: {
        x: { field: 'variant', type: 'nominal', title: null, sort: variants, axis: { labelAngle: -35 } },
        xOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'] },
        y: { field: 'ms', type: 'quantitative', title: 'ms' },
        color: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'], legend: { orient: 'bottom', title: null } },
      },
    },
    // Each panel shows only the variants that ran it (the baseline runs S1 and S2 only).
    resolve: { scale: { x: 'independent', xOffset: 'independent', y: 'independent' } },
  };
}

/** The facet labels in scenario order (they carry the unit, so they are not the bare ids). */
function scenarioOrder(values: ReadonlyArray<{ scenario: string }>, scenarios: string[]): string[] {
  const labels = [...new Set(values.map((v) => v.scenario))];
  return scenarios.flatMap((id) => labels.filter((label) => label.startsWith(`${id} `)));
}
