// Side-by-side probe of compiled builds of the API (issue 18): each build is started on its own port
// against one seeded scratch database, and loaded in alternating rounds with autocannon. Per round it
// prints req/s, latency and the server process's CPU per request (user and kernel, from /proc); then
// the medians. A probe, not the bench: `npm run bench` is what the results tables come from.
//
//   npm run build && cp -r dist/src /tmp/after/src      (and the same of another commit into /tmp/before)
//   PAIR_DATABASE_URL=postgres://…/scratch node bench/profile/pair.mjs --rounds 4 /tmp/before /tmp/after
//
// Options: --rounds N (4), --duration S (8), --connections C (32), --query S1|S2|RECORD (S1; RECORD: a
// recordEvent mutation on one device, each writing a reading to the scratch database), --callers K: S1
// from K users in turn, each reading a device of their own (the database's owners of K devices are
// changed to K new users). A build written BUILD@--flag,--flag runs with those Node flags instead of
// --max-semi-space-size=32. The database must have been seeded (`npm run seed`); the builds need this
// repository's node_modules above them, or next to them.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
const { tokensFor } = require('../../dist/src/auth/signing-key.js');
const { loadConfig } = require('../../dist/src/config.js');

const DEVICE = 'query Device($id: ID!) { device(id: $id) { id name owner { username } } }';
const DASHBOARD =
  'query Dashboard($first: Int!) { devices(first: $first) { edges { node { id name owner { id username } ' +
  'latestEvent { id occurredAt consumption unit } events(first: 10) { edges { node { id occurredAt consumption unit device { id name } } } } ' +
  'consumption(granularity: MONTH, periods: 12) { start total unit } } } } }';

const RECORD = 'mutation Record($input: RecordEventInput!) { recordEvent(input: $input) { event { id } } }';

const options = { rounds: 4, duration: 8, connections: 32, query: 'S1', callers: 0 };
const builds = [];
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg.startsWith('--')) options[arg.slice(2)] = arg === '--query' ? process.argv[++i] : Number(process.argv[++i]);
  else builds.push(arg);
}
const databaseUrl = process.env.PAIR_DATABASE_URL;
if (!databaseUrl || builds.length === 0) throw new Error('usage: PAIR_DATABASE_URL=… node bench/profile/pair.mjs [options] BUILD…');

/** An ADMIN, a device, and with --callers, that many users each owning one device. */
async function prepareDatabase() {
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    const user = (name, role) =>
      client.query(
        `insert into users (id, username, email, password_hash, first_name, last_name, role)
         values (gen_random_uuid(), $1::text, $1::text || '@example.com', 'none', 'Pair', 'Probe', $2)
         on conflict (username) do update set role = excluded.role returning id`,
        [name, role],
      );
    const admin = (await user('pair_admin', 'ADMIN')).rows[0].id;
    const device = (await client.query('select id from devices order by id limit 1')).rows[0].id;
    const owned = [];
    const devices = (await client.query('select id from devices order by id desc limit $1', [options.callers])).rows;
    for (const [i, { id }] of devices.entries()) {
      const owner = (await user(`pair_user_${i + 1}`, 'USER')).rows[0].id;
      await client.query('update devices set owner_id = $1 where id = $2', [owner, id]);
      owned.push({ owner, device: id });
    }
    return { admin, device, owned };
  } finally {
    await client.end();
  }
}

const key = randomBytes(48).toString('base64url');
const tokens = await tokensFor(loadConfig({ AUTH_SIGNING_KEY: key }));
const { admin, device, owned } = await prepareDatabase();
const adminToken = (await tokens.issue(admin)).token;
const callers = await Promise.all(owned.map(async ({ owner, device }) => ({ token: (await tokens.issue(owner)).token, device })));
const bodies = {
  S1: { query: DEVICE, variables: { id: device } },
  S2: { query: DASHBOARD, variables: { first: 50 } },
  RECORD: { query: RECORD, variables: { input: { deviceId: device, consumption: '12.34', unit: 'L' } } },
};
if (!bodies[options.query]) throw new Error(`--query takes ${Object.keys(bodies).join(', ')}`);
const body = JSON.stringify(bodies[options.query]);
let turn = 0;
/** With --callers: each request from the next caller, for their own device. */
const fromNextCaller = (request) => {
  const caller = callers[turn++ % callers.length];
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${caller.token}` }, body: JSON.stringify({ query: DEVICE, variables: { id: caller.device } }) };
};

const servers = builds.map((build, i) => {
  const [dir, flags] = build.split('@');
  const port = 4801 + i;
  const child = spawn(process.execPath, [...(flags ? flags.split(',') : ['--max-semi-space-size=32']), `${dir}/src/main.js`], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', AUTH_SIGNING_KEY: key, RATE_LIMIT_POINTS: String(1e15), DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { build, port, child, rounds: [] };
});

const load = (server, seconds) =>
  autocannon({
    url: `http://127.0.0.1:${server.port}/graphql`,
    method: 'POST',
    connections: options.connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body,
    ...(callers.length > 0 && { requests: [{ setupRequest: fromNextCaller }] }),
  });
/** The process's user and kernel time so far, in µs. */
const cpu = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 10_000, kernel: Number(fields[12]) * 10_000 };
};
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

try {
  for (const server of servers) {
    for (let attempt = 0; ; attempt++) {
      const answered = await fetch(`http://127.0.0.1:${server.port}/readyz`).then((r) => r.ok, () => false);
      if (answered) break;
      if (attempt > 240) throw new Error(`${server.build} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await load(server, 3);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const server of round % 2 ? [...servers].reverse() : servers) {
      const before = cpu(server.child.pid);
      const result = await load(server, options.duration);
      const after = cpu(server.child.pid);
      const requests = result.requests.total;
      const row = {
        rps: Math.round(result.requests.average),
        userUs: Math.round((after.user - before.user) / requests),
        kernelUs: Math.round((after.kernel - before.kernel) / requests),
        p50: result.latency.p50,
        p99: result.latency.p99,
        failed: result.non2xx + result.errors,
      };
      server.rounds.push(row);
      process.stdout.write(`round ${round + 1} ${server.build}: ${JSON.stringify(row)}\n`);
    }
  }
  for (const server of servers) {
    const of = (field) => median(server.rounds.map((row) => row[field]));
    process.stdout.write(`median ${server.build}: ${of('rps')} req/s, CPU ${of('userUs')} user + ${of('kernelUs')} kernel µs/request, p50 ${of('p50')} ms, p99 ${of('p99')} ms\n`);
  }
} finally {
  for (const server of servers) server.child.kill('SIGTERM');
}
