import { statementShape } from '../src/db/statement-tally';
import { Metrics } from '../src/metrics';
import { createTestApi, type TestApi } from './support/test-api';

// /metrics (prom-client): the pool, statement and operation timings, errors by code, loader batches,
// the process; and the slow-statement log line.
const lines: Array<Record<string, unknown>> = [];
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ env: { DB_SLOW_STATEMENT_MS: '1' }, onLog: (line) => lines.push(line) });
});
afterAll(async () => api.close());

async function scrape(): Promise<string> {
  const response = await fetch(`${api.url}/metrics`);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one sample line (`name{labels} value`). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('has operation times by name and type, errors by code, statement and connection times, loader batches and the process', async () => {
    const before = await scrape();
    const count = (text: string) => sample(text, 'aquamind_graphql_operation_seconds_count{operation="Mine",type="query"}') ?? 0;
    await api.gql('query Mine { me { id devices { totalCount } } }');
    await api.gql('query Mine { me { id } }');
    await api.gql('{ device(id: "not-a-uuid") { id } }');
    const after = await scrape();
    expect(count(after) - count(before)).toBe(2);
    expect(sample(after, 'aquamind_graphql_errors_total{code="BAD_USER_INPUT"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'aquamind_sql_statement_seconds_count')).toBeGreaterThan(0);
    expect(sample(after, 'aquamind_db_pool_acquire_seconds_count')).toBeGreaterThan(0);
    expect(sample(after, 'aquamind_dataloader_batch_size_count{loader="userById"}')).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'aquamind_db_pool_max')).toBe(10);
    expect(sample(after, 'aquamind_unit_of_work_live_forks')).toBe(0);
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after).toContain('# TYPE aquamind_graphql_operation_seconds histogram');
    // Names from anonymous callers or failed operations get no label of their own.
    await api.gql('query MadeUpByAnyone { recommendations { totalCount } }', {}, { authorization: '' });
    await api.gql('query MadeUpAndFailing { device(id: "nope") { id } }');
    const labels = await scrape();
    expect(labels).not.toContain('operation="MadeUpByAnyone"');
    expect(labels).not.toContain('operation="MadeUpAndFailing"');
    expect(sample(labels, 'aquamind_graphql_operation_seconds_count{operation="other",type="query"}')).toBeGreaterThanOrEqual(2);
  });

  it('gives operation names a label of their own only while they are few and plain', () => {
    const metrics = new Metrics();
    expect(metrics.operationLabel(null)).toBe('anonymous');
    expect(metrics.operationLabel('Dashboard')).toBe('Dashboard');
    expect(metrics.operationLabel('x'.repeat(65))).toBe('other');
    for (let i = 0; i < 300; i++) metrics.operationLabel(`Generated${i}`);
    expect(metrics.operationLabel('Dashboard')).toBe('Dashboard');
    expect(metrics.operationLabel('Generated250')).toBe('other');
  });
});

describe('a statement slower than DB_SLOW_STATEMENT_MS', () => {
  it('is logged at warn with its request id and text, never its values', async () => {
    const email = 'slow-statement-value@example.com';
    await api.gql('query Slow($search: String) { users(search: $search) { totalCount } }', { search: email }, { 'x-request-id': 'slow-1' });
    const slow = lines.filter((line) => line.msg === 'slow SQL statement' && line.reqId === 'slow-1');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow[0]).toEqual(expect.objectContaining({ level: 40, durationMs: expect.any(Number), statement: expect.stringContaining('users') }));
    expect(JSON.stringify(slow)).not.toContain(email);
  });
});

describe('the shape of a statement', () => {
  it('keeps its text and placeholders, never a value', () => {
    expect(statementShape("select * from users where email = 'a@b.c' and version = 12 and id = $1 and note = 'it''s' limit 20")).toBe(
      'select * from users where email = ? and version = ? and id = $1 and note = ? limit ?',
    );
    expect(statementShape(`select '${'x'.repeat(600)}'`).length).toBeLessThanOrEqual(500);
  });
});
