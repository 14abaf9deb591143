import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const started = performance.now();

/** Prints one progress line, prefixed with the seconds since the process started. */
export function log(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  // On a terminal, first clear a live counter that a load may have left on the line.
  const clear = process.stdout.isTTY ? '\r\x1b[K' : '';
  process.stdout.write(`${clear}[${seconds}s] ${message}\n`);
}

/** 12345 as "12,345". */
export function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A positive whole number from a command-line flag, or `fallback` when the flag is absent. */
export function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${flag} takes a positive whole number, got "${value}"`);
  return Number(value);
}

/** The values of `--name value` flags in `args`. --help prints `usage` and exits; an unknown flag stops the run with it. */
export function parseFlags<const Name extends string>(args: string[], names: readonly Name[], usage: string): Partial<Record<Name, string>> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const name of names) options[name] = { type: 'string' };
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args, options, strict: true }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values as Partial<Record<Name, string>>;
}

/** A bad command line; printed without a stack. */
export class UsageError extends Error {}

/**
 * What a run has set up (servers, a worktree, a database), undone newest first. Runs once: at the end,
 * on an error, or on Ctrl-C, so that no server, worktree or database outlives the run.
 */
export class Teardown {
  private readonly steps: Array<{ name: string; undo: () => Promise<void> }> = [];
  private running: Promise<void> | undefined;

  /** Registers `undo` to run at teardown, before every step registered earlier. */
  add(name: string, undo: () => Promise<void>): void {
    this.steps.push({ name, undo });
  }

  /** Runs every registered step, newest first; a failing step is reported and the others still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await step.undo();
        } catch (error) {
          log(`teardown: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}

/**
 * Runs `main` with a teardown that also runs on SIGINT/SIGTERM. Exits with what `main` returns (0 by
 * default), or 1 after printing the error; a second Ctrl-C exits at once.
 */
export function runMain(main: (teardown: Teardown) => Promise<number | void>): void {
  const teardown = new Teardown();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping what was started (again to exit at once)`);
    void teardown.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(teardown)
    .then(async (code) => {
      await teardown.run();
      process.exit(code ?? 0);
    })
    .catch(async (error: unknown) => {
      const message = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`\n${message}\n\n`);
      await teardown.run();
      process.exit(1);
    });
}

/** The value of environment variable `name`; the process stops with a clear message when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** `items` starting at index `by` (mod length), wrapping around: alternating rounds start with a different variant each. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const start = items.length ? by % items.length : 0;
  return [...items.slice(start), ...items.slice(0, start)];
}
