// The soak's load generator, a child process (forked by soak.ts) so that the API's process measures its
// own heap and RSS alone. It receives one {@link LoadRequest}, sends the S4 mix with autocannon, reports
// progress every second and its summary at the end, then exits.
import { authorize } from './credentials';
import { fire, loadFor } from './scenarios';

/** What soak.ts asks for. */
export interface LoadRequest {
  readonly graphqlUrl: string;
  /** The access token every request carries. */
  readonly token: string;
  readonly deviceIds: readonly string[];
  readonly operations: number;
  readonly connections: number;
}

/** What one load did. */
export interface LoadSummary {
  readonly operations: number;
  readonly seconds: number;
  readonly non2xx: number;
  /** Connection errors, timeouts and responses with GraphQL errors. */
  readonly errors: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
}

/** Messages from this process to soak.ts. */
export type LoadMessage =
  | { readonly type: 'progress'; readonly responses: number; readonly seconds: number }
  | { readonly type: 'done'; readonly summary: LoadSummary };

async function generate(request: LoadRequest): Promise<LoadSummary> {
  authorize(request.token);
  const settings = { seconds: 0, connections: request.connections, ingestConnections: 0, ingestOperations: 0, readingsPerOperation: 0 };
  // The S4 mix, for a number of operations rather than a number of seconds.
  const load = { ...loadFor('S4', request.deviceIds, settings), duration: undefined, amount: request.operations };
  const { result, seconds } = await fire(request.graphqlUrl, load, (responses, elapsed) => send({ type: 'progress', responses, seconds: elapsed }));
  return {
    operations: result.requests.total,
    seconds,
    non2xx: result.non2xx,
    errors: result.errors + result.mismatches,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  };
}

function send(message: LoadMessage): void {
  process.send?.(message);
}

if (!process.send) {
  process.stderr.write('soak-load is started by soak.ts (npm run soak), not directly\n');
  process.exit(2);
}
process.once('message', (request: LoadRequest) => {
  generate(request).then(
    (summary) => {
      send({ type: 'done', summary });
      process.disconnect();
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
});
