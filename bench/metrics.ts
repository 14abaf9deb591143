import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** The /metrics series the benchmark reads (the baseline writes the same names for what it has). */
export const METRIC = {
  statements: 'aquamind_sql_statements_total',
  poolUsed: 'aquamind_db_pool_used',
  poolUsedPeak: 'aquamind_db_pool_used_peak',
  poolMax: 'aquamind_db_pool_max',
  liveForks: 'aquamind_unit_of_work_live_forks',
} as const;

/** Samples without labels from Prometheus text, by name (all that the API writes). */
export type Metrics = ReadonlyMap<string, number>;

/** Parses Prometheus text; comment lines and labelled samples are skipped. */
export function parseMetrics(text: string): Metrics {
  const metrics = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (match) metrics.set(match[1]!, Number(match[2]));
  }
  return metrics;
}

/** Resident memory of a process in bytes (VmRSS in /proc/<pid>/status), or null once it is gone. */
export async function rssBytes(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? null : Number(kb) * 1024;
}

/** CPU time a process has used so far, in microseconds: in user space and in the kernel (/proc/<pid>/stat); null once it is gone. */
export async function cpuMicros(pid: number): Promise<{ user: number; system: number } | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th of them, in clock ticks (100 a second).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields.length < 13) return null;
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

/** What a sampler watches: a server's metrics and its process's memory. */
export interface Observable {
  metrics(): Promise<Metrics>;
  rss(): Promise<number | null>;
}

/** A value polled until stopped: the highest reading so far, and how many readings there were. */
export interface Poll {
  max(): number | null;
  stop(): Promise<{ readonly max: number | null; readonly samples: number }>;
}

/**
 * Polls `read` every `intervalMs` until `stop()`, keeping the highest value. One read at a time: a slow
 * answer under load delays the next reading rather than piling requests onto the server being measured.
 * Failed or empty readings are not counted.
 */
export function pollMax(read: () => Promise<number | null | undefined>, intervalMs = 100): Poll {
  let stopped = false;
  let max: number | null = null;
  let samples = 0;
  const loop = (async () => {
    while (!stopped) {
      const value = await read().catch(() => undefined);
      if (value !== null && value !== undefined) {
        max = Math.max(max ?? value, value);
        samples++;
      }
      await sleep(intervalMs);
    }
  })();
  return {
    max: () => max,
    async stop() {
      stopped = true;
      await loop;
      return { max, samples };
    },
  };
}

/** The highest pool use and RSS a sampler saw. */
export interface Peaks {
  /** Most pooled connections in use at one sample; null when the server has no such metric. */
  readonly poolUsed: number | null;
  readonly rssBytes: number | null;
}

/** Samples a server's pool use (from /metrics) and its RSS every 100 ms until `stop()` resolves the peaks. */
export function startSampler(target: Observable): { stop(): Promise<Peaks> } {
  const pool = pollMax(async () => (await target.metrics()).get(METRIC.poolUsed));
  const rss = pollMax(() => target.rss());
  return {
    async stop() {
      const [poolUsed, rssBytes] = await Promise.all([pool.stop(), rss.stop()]);
      return { poolUsed: poolUsed.max, rssBytes: rssBytes.max };
    },
  };
}
