import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dialect } from './dialect';
import { log, type Teardown } from './cli';
import { SIGNING_KEY, UNSPENDABLE_POINTS } from './credentials';
import { freePort } from '../src/shared/free-port';
import { getText } from './http';
import { cpuMicros, parseMetrics, rssBytes, type Metrics, type Observable } from './metrics';

/** How to start one server under test. */
export interface ServerSpec {
  /** The variant's name in the report: `api`, `api-no-loaders`, `baseline`, `api@<ref>`. */
  readonly name: string;
  readonly description: string;
  /** The server is the API (S3 and S4 run only against the API). */
  readonly isApi: boolean;
  /** The script node runs, relative to `cwd`. */
  readonly script: string;
  readonly cwd: string;
  /** Variables on top of the common ones (see {@link ServerProcess.start}). */
  readonly env?: Readonly<Record<string, string>>;
  /** How the server speaks when it is an older API with other names (bench/dialect.ts); this tree's names otherwise. */
  readonly dialect?: Dialect;
}

/** The variants every run has; `api@<ref>` joins them with --compare. */
export const VARIANT = { api: 'api', noLoaders: 'api-no-loaders', baseline: 'baseline', floor: 'floor' } as const;

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_LINES_KEPT = 40;
/** Node's flags for every server, the baseline too: those the Dockerfile and `npm start` run the API with. */
const NODE_FLAGS = ['--max-semi-space-size=32'];

/** The servers under test: the API, the API without DataLoaders, the plain baseline, the stack's floor, and the API at `compare`. */
export function serverSpecs(repoRoot: string, compare?: { label: string; dir: string; dialect?: Dialect }): ServerSpec[] {
  const api = { isApi: true, script: 'dist/src/main.js', cwd: repoRoot };
  return [
    { ...api, name: VARIANT.api, description: 'the API (Fastify + Apollo + MikroORM), as built from this tree' },
    {
      ...api,
      name: VARIANT.noLoaders,
      description: 'the same with AQUAMIND_DATALOADERS=off: one statement per key, the N+1 the loaders remove',
      env: { AQUAMIND_DATALOADERS: 'off' },
    },
    {
      name: VARIANT.baseline,
      description: 'plain node:http + pg answering the S1 and S2 documents with the fewest statements (bench/baseline.ts)',
      isApi: false,
      script: 'dist/bench/baseline.js',
      cwd: repoRoot,
    },
    {
      name: VARIANT.floor,
      description: "the API's Fastify, Apollo, executor and schema answering S1 and S2 from memory: the most any data layer under them could give (bench/floor.ts)",
      isApi: false,
      script: 'dist/bench/floor.js',
      cwd: repoRoot,
    },
    ...(compare
      ? [
          {
            ...api,
            cwd: compare.dir,
            name: `${VARIANT.api}@${compare.label}`,
            description: `the API as it was at ${compare.label}${compare.dialect ? `, asked in its own names: ${compare.dialect.name}` : ''}`,
            ...(compare.dialect && { dialect: compare.dialect, env: compare.dialect.env }),
          },
        ]
      : []),
  ];
}

/** A server under test, running as a child process on 127.0.0.1. */
export class ServerProcess implements Observable {
  private readonly output: string[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly spec: ServerSpec,
    readonly baseUrl: string,
    private readonly child: ChildProcess,
  ) {
    // Only the tail is kept: it is printed if the server dies, and warnings under load could be many.
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - OUTPUT_LINES_KEPT));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
  }

  /**
   * Starts `spec` on a free port against `databaseUrl` and waits until GET /readyz answers 200. The
   * environment is the same for every variant (production, warn-level logs, no seeding, pool defaults),
   * built from scratch so that a variable in the caller's shell cannot favour one of them.
   */
  static async start(spec: ServerSpec, databaseUrl: string, teardown: Teardown): Promise<ServerProcess> {
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      AUTH_SIGNING_KEY: SIGNING_KEY,
      RATE_LIMIT_POINTS: UNSPENDABLE_POINTS,
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'false',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...spec.env,
    };
    const child = spawn(process.execPath, [...NODE_FLAGS, spec.script], { cwd: spec.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(spec, `http://127.0.0.1:${port}`, child);
    teardown.add(`stop ${spec.name}`, () => server.stop());
    await server.waitUntilReady();
    log(`${spec.name} ready at ${server.baseUrl} (pid ${child.pid})`);
    return server;
  }

  get name(): string {
    return this.spec.name;
  }

  get graphqlUrl(): string {
    return `${this.baseUrl}/graphql`;
  }

  /** The server's /metrics. */
  async metrics(): Promise<Metrics> {
    return parseMetrics((await getText(`${this.baseUrl}/metrics`)).text);
  }

  /** The server process's resident memory in bytes. */
  async rss(): Promise<number | null> {
    return this.child.pid === undefined ? null : rssBytes(this.child.pid);
  }

  /** The CPU time the server process has used so far (µs, user and kernel). */
  async cpu(): Promise<{ user: number; system: number } | null> {
    return this.child.pid === undefined ? null : cpuMicros(this.child.pid);
  }

  /** Throws, with the end of the server's output, if it has exited. */
  assertRunning(): void {
    if (this.exit) {
      throw new Error(
        `${this.name} exited (code ${this.exit.code}, signal ${this.exit.signal}). Its last output:\n${this.output.join('\n')}`,
      );
    }
  }

  /** SIGTERM (the API drains and closes its pool), then SIGKILL if it has not exited in time. */
  async stop(): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (timedOut) {
      log(`${this.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it`);
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      this.assertRunning();
      const status = await getText(`${this.baseUrl}/readyz`, 1_000).then((answer) => answer.status, () => 0);
      if (status === 200) return;
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready after ${READY_TIMEOUT_MS / 1000} s. Its last output:\n${this.output.join('\n')}`);
  }
}

/** The repository's top folder, seen from the compiled file (dist/bench/*.js). */
export const REPO_ROOT = path.resolve(__dirname, '../..');
