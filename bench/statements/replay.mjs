// `node bench/statements/replay.mjs FILE [ROUNDS]` with DATABASE_URL: times each captured statement
// (capture.mjs; a `label` per line names it) over one connection, as unnamed statements like the API's,
// in alternating order round after round (8 warm-up rounds, then ROUNDS, 60 by default); prints the
// median of each, in ms, client round trip included.
import { readFileSync } from 'node:fs';
import pg from 'pg';

async function main() {
  const [file, rounds = '60'] = process.argv.slice(2);
  const statements = readFileSync(file, 'utf8').trim().split('\n').map((line) => ({ ...JSON.parse(line), times: [] }));
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  for (let round = 0; round < Number(rounds) + 8; round++) {
    for (const statement of round % 2 ? [...statements].reverse() : statements) {
      const started = process.hrtime.bigint();
      await client.query({ text: statement.text, values: statement.values });
      if (round >= 8) statement.times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  await client.end();
  for (const { label = '', text, times } of statements) {
    times.sort((a, b) => a - b);
    process.stdout.write(`${times[times.length >> 1].toFixed(2).padStart(8)} ms  ${label}  ${text.replace(/\s+/g, ' ').slice(0, 60)}\n`);
  }
}
await main();
