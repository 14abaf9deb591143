import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * How a server speaks, when it is not this tree's API: the request bodies it takes (made from this
 * tree's documents) and its answers, made comparable with the baseline's. The API as it was before
 * issue 15 called the IoT type `Node` (`node(id)`, `nodes`, `Event.node`, `nodeId`; tables `nodes`
 * and `events.node_id`); a `--compare` with such a commit runs it through {@link NODE_DIALECT}.
 */
export interface Dialect {
  readonly name: string;
  /** A request body of this tree's documents, as the server takes it. */
  body(body: string): string;
  /** The server's answer (JSON text), with this tree's names. */
  answer(text: string): string;
  /** Variables for the server's process: the legacy one reads through views with its old names. */
  readonly env: Readonly<Record<string, string>>;
  /** SQL that gives the seeded database the server's old names (views; run once, before it starts). */
  readonly setup: readonly string[];
}

/** The dialect of the API built in `dir`: none when it names its IoT type `Device`, as this tree does. */
export function dialectOf(dir: string): Dialect | undefined {
  return existsSync(path.join(dir, 'schema', 'device.graphql')) ? undefined : NODE_DIALECT;
}

/** The request names of the bench's documents and variables, and what the API called them before. */
const RENAMED_IN_REQUESTS: ReadonlyArray<[RegExp, string]> = [
  [/query Device\(/g, 'query Node('],
  [/\bdevice\(id:/g, 'node(id:'],
  [/\bdevices\(first:/g, 'nodes(first:'],
  [/\bdevice \{ id name \}/g, 'node { id name }'],
  [/"deviceId"/g, '"nodeId"'],
];

export const NODE_DIALECT: Dialect = {
  name: 'nodes (before issue 15)',
  body: (body) => RENAMED_IN_REQUESTS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), body),
  answer: (text) => JSON.stringify(withDeviceNames(JSON.parse(text) as unknown, false)),
  // The server's own statements name `nodes` and `node_id`: the `legacy` schema's views, first on its search path.
  env: { PGOPTIONS: '-c search_path=legacy,public' },
  setup: [
    'create schema if not exists legacy',
    'create or replace view legacy.nodes as select * from public.devices',
    'create or replace view legacy.events as select id, device_id as node_id, occurred_at, consumption, unit, recorded_at from public.events',
  ],
};

/** `value` with the old keys renamed: `nodes` to `devices`, and `node` to `device` but where it is an edge's. */
function withDeviceNames(value: unknown, isEdge: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => withDeviceNames(item, false));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => {
      const name = key === 'nodes' ? 'devices' : key === 'node' && !isEdge ? 'device' : key;
      return [name, key === 'edges' && Array.isArray(child) ? child.map((edge) => withDeviceNames(edge, true)) : withDeviceNames(child, false)];
    }),
  );
}
