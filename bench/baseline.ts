// The practical limit the API is measured against: plain node:http and pg, no framework, no ORM, no
// GraphQL engine. It answers exactly the two read documents of the benchmark (S1, S2), recognised by their
// text, with byte-for-byte the JSON the API gives, and it queries the database for every request (no
// cache). Started by run.ts as `node dist/bench/baseline.js` with DATABASE_URL, PORT and HOST.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BadRequest, baselineAnswers } from './baseline-answers';
import { requiredEnv } from './cli';
import { DASHBOARD_QUERY, DEVICE_QUERY } from './documents';

const { deviceById, dashboard, stats, close } = baselineAnswers(requiredEnv('DATABASE_URL'), 'aquamind-baseline');

async function answerGraphQL(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const { query: document, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    query?: unknown;
    variables?: Record<string, unknown>;
  };
  if (document === DEVICE_QUERY) return { status: 200, body: { data: await deviceById(variables?.id) } };
  if (document === DASHBOARD_QUERY) return { status: 200, body: { data: await dashboard(variables?.first) } };
  throw new BadRequest('the baseline answers only the benchmark documents S1 and S2');
}

function send(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function metricsText(): string {
  const line = (name: string, type: string, value: number) => `# TYPE ${name} ${type}\n${name} ${value}\n`;
  return [
    line('aquamind_sql_statements_total', 'counter', stats.statements),
    line('aquamind_db_pool_used', 'gauge', stats.used),
    line('aquamind_db_pool_used_peak', 'gauge', stats.peakUsed),
    line('aquamind_db_pool_max', 'gauge', stats.poolMax),
  ].join('');
}

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    // Any GET is a readiness probe, except /metrics.
    if (request.url === '/metrics') send(response, 200, 'text/plain; version=0.0.4', metricsText());
    else send(response, 200, 'application/json; charset=utf-8', '{"status":"ready"}');
    return;
  }
  if (request.method !== 'POST' || request.url !== '/graphql') {
    send(response, 404, 'text/plain', 'not found');
    return;
  }
  answerGraphQL(request).then(
    // The API ends its JSON with a newline; so does the baseline, to send the same bytes.
    ({ status, body }) => send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`),
    (error: unknown) => {
      const status = error instanceof BadRequest || error instanceof SyntaxError ? 400 : 500;
      const message = error instanceof Error ? error.message : String(error);
      send(response, status, 'application/json; charset=utf-8', `${JSON.stringify({ errors: [{ message }] })}\n`);
    },
  );
});


const stop = () => {
  server.close();
  server.closeAllConnections();
  void close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
server.listen(Number(requiredEnv('PORT')), process.env.HOST ?? '127.0.0.1');
