// Preload (`NODE_OPTIONS="--import ./bench/statements/capture.mjs"`) that appends every statement the
// API sends through `pg` (text and values, one JSON line each) to $CAPTURE_FILE, so that it can be
// timed as the API sends it (replay.mjs). Transaction control and session settings are left out.
import { appendFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.CAPTURE_FILE ?? 'statements.jsonl';
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function capture(config, values, callback) {
  const text = typeof config === 'string' ? config : config?.text;
  if (text && !/^(begin|commit|rollback|set |select set_config)/i.test(text)) {
    const bound = typeof config === 'object' && config?.values ? config.values : values;
    appendFileSync(file, `${JSON.stringify({ text, values: bound ?? [] })}\n`);
  }
  return query.call(this, config, values, callback);
};
