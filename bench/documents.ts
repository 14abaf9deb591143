// The GraphQL documents the benchmark sends, and the request bodies built from them. Pure functions only:
// the load generators (run.ts, the soak's load process) and the baseline server all import this module.

/** S1: one device by id, with its owner. */
export const DEVICE_QUERY = 'query Device($id: ID!) { device(id: $id) { id name owner { username } } }';

/** S2: a dashboard page of devices, each with its owner, newest reading, last 10 readings and 12 monthly totals. */
export const DASHBOARD_QUERY =
  'query Dashboard($first: Int!) { devices(first: $first) { edges { node { id name owner { id username } ' +
  'latestEvent { id occurredAt consumption unit } ' +
  'events(first: 10) { edges { node { id occurredAt consumption unit device { id name } } } } ' +
  'consumption(granularity: MONTH, periods: 12) { start total unit } } } } }';

/** S3: a gateway's batch of readings. */
export const INGEST_MUTATION = 'mutation Ingest($inputs: [RecordEventInput!]!) { recordEvents(inputs: $inputs) { count } }';

/** One reading (the write share of S4). */
export const RECORD_MUTATION = 'mutation Record($input: RecordEventInput!) { recordEvent(input: $input) { event { id } } }';

/** Readings per S3 operation (the API accepts at most 10,000 per recordEvents). */
export const INGEST_BATCH = 10_000;

/** How many devices S2 lists by default, and within the S4 mix. */
export const DASHBOARD_PAGE = 50;
export const MIXED_DASHBOARD_PAGE = 10;

/** The JSON body of a GraphQL request. */
export function graphqlBody(query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ query, variables });
}

/** S1's body for one device. */
export function deviceBody(id: string): string {
  return graphqlBody(DEVICE_QUERY, { id });
}

/** S2's body for a page of `first` devices. */
export function dashboardBody(first: number): string {
  return graphqlBody(DASHBOARD_QUERY, { first });
}

/** One reading of `deviceId`, as S3 and S4 send it. */
function reading(deviceId: string): { deviceId: string; consumption: string; unit: string } {
  return { deviceId, consumption: '12.34', unit: 'L' };
}

/** S3's body: `count` readings spread round-robin over `deviceIds`, so every device gets a share. */
export function ingestBody(deviceIds: readonly string[], count: number): string {
  return graphqlBody(INGEST_MUTATION, { inputs: Array.from({ length: count }, (_, i) => reading(deviceIds[i % deviceIds.length]!)) });
}

/** The body of a single reading of `deviceId`. */
export function recordBody(deviceId: string): string {
  return graphqlBody(RECORD_MUTATION, { input: reading(deviceId) });
}

/** A random element of a non-empty list. */
export function pick<T>(items: readonly T[], random: () => number = Math.random): T {
  return items[Math.floor(random() * items.length)]!;
}

/** The shares of the S4 mix. */
export const MIX = { device: 0.45, dashboard: 0.45, record: 0.1 } as const;

/** One request of the S4 mix: 45% S1, 45% S2 with first: 10, 10% a single reading, each on a random device. */
export function mixedBody(deviceIds: readonly string[], random: () => number = Math.random): string {
  const draw = random();
  if (draw < MIX.device) return deviceBody(pick(deviceIds, random));
  if (draw < MIX.device + MIX.dashboard) return dashboardBody(MIXED_DASHBOARD_PAGE);
  return recordBody(pick(deviceIds, random));
}

/**
 * Whether a response body carries GraphQL errors. A string test rather than JSON.parse: it runs for every
 * response in the load generator, which shares the machine's two cores with the server under test.
 * Apollo writes `errors` as a top-level key, and no benchmark data contains that text.
 */
export function hasGraphQLErrors(body: string): boolean {
  return body.includes('"errors":');
}
