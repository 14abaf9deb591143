import { fmt, log } from './cli';
import { dashboardBody, DASHBOARD_PAGE, MIXED_DASHBOARD_PAGE, deviceBody } from './documents';
import { postJson } from './http';
import { VARIANT, type ServerProcess } from './servers';

/** An id no device has, to compare the `device: null` answers too. */
const MISSING_ID = '00000000-0000-7000-8000-000000000000';

/**
 * Sends the read documents once to every server and throws, naming the first difference, unless each
 * server's JSON equals the baseline's: the same values and the same key order. A benchmark of servers that
 * answer differently would compare different work.
 */
export async function checkSameAnswers(servers: readonly ServerProcess[], deviceIds: readonly string[]): Promise<void> {
  const baseline = servers.find((server) => server.name === VARIANT.baseline);
  if (!baseline) throw new Error('no baseline server to compare with');
  const requests = [
    ...[deviceIds[0]!, deviceIds[Math.floor(deviceIds.length / 2)]!, deviceIds.at(-1)!, MISSING_ID].map((id) => ({ what: `S1 device(id: ${id})`, body: deviceBody(id) })),
    ...[DASHBOARD_PAGE, MIXED_DASHBOARD_PAGE].map((first) => ({ what: `S2 devices(first: ${first})`, body: dashboardBody(first) })),
  ];
  for (const { what, body } of requests) {
    const expected = await postJson(baseline.graphqlUrl, body);
    if (expected.status !== 200) throw new Error(`baseline answered ${what} with HTTP ${expected.status}: ${expected.text.slice(0, 500)}`);
    const others = servers.filter((server) => server !== baseline);
    let sameBytes = true;
    for (const server of others) {
      const { dialect } = server.spec;
      const answered = await postJson(server.graphqlUrl, dialect ? dialect.body(body) : body);
      // An older API's answer in this tree's names (bench/dialect.ts), so that the values are what is compared.
      const actual = dialect && answered.status === 200 ? { ...answered, text: dialect.answer(answered.text) } : answered;
      const difference =
        actual.status !== expected.status
          ? `HTTP ${actual.status} instead of ${expected.status}`
          : firstDifference(JSON.parse(actual.text), JSON.parse(expected.text), '$');
      if (difference) {
        throw new Error(`${server.name} and baseline answer ${what} differently: ${difference}\n${server.name}: ${actual.text.slice(0, 800)}`);
      }
      sameBytes &&= actual.text === expected.text;
    }
    const bytes = sameBytes ? 'byte for byte' : 'same JSON, different bytes';
    log(`  ${what}: ${others.map((server) => server.name).join(', ')} = baseline (${bytes}, ${fmt(expected.text.length)} bytes)`);
  }
}

/** Where two JSON values first differ (values, array lengths, key sets or key order), or undefined when equal. */
export function firstDifference(actual: unknown, expected: unknown, path: string): string | undefined {
  const show = (value: unknown) => JSON.stringify(value)?.slice(0, 120);
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${path}: ${actual.length} items instead of ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const difference = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (isObject(actual) && isObject(expected)) {
    const keys = Object.keys(actual);
    const expectedKeys = Object.keys(expected);
    if (keys.join() !== expectedKeys.join()) return `${path}: keys ${show(keys)} instead of ${show(expectedKeys)}`;
    for (const key of keys) {
      const difference = firstDifference(actual[key], expected[key], `${path}.${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: ${show(actual)} instead of ${show(expected)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
