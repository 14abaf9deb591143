// Summarizes a V8 CPU profile (`node --cpu-prof`) of a server under load: the share of busy time by
// package (self time) and the functions with the most inclusive time, over the last N seconds of the
// profile only (startup and warm-up left out).
//
//   node bench/profile/summarize.mjs CPU.….cpuprofile [--last 14] [--top 40]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { last: { type: 'string', default: '14' }, top: { type: 'string', default: '40' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile/summarize.mjs FILE.cpuprofile [--last SECONDS] [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const lastUs = Number(values.last) * 1e6;
const top = Number(values.top);

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** The package (or app module, or V8 bucket) a frame belongs to. */
function area({ url, functionName }) {
  if (['(garbage collector)', '(idle)', '(program)', '(root)'].includes(functionName)) return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.includes('/dist/src/')) return `app:${url.split('/dist/src/')[1]}`;
  return url === '' ? `(native) ${functionName}` : url;
}
const frame = ({ functionName, url, lineNumber }) => `${functionName || '(anonymous)'} ${url.split('/').at(-1)}:${lineNumber + 1}`;

let time = profile.startTime;
const times = profile.timeDeltas.map((delta) => (time += delta));
const end = times.at(-1);
const self = new Map();
const inclusive = new Map();
let busy = 0;
let total = 0;
profile.samples.forEach((id, i) => {
  if (end - times[i] > lastUs) return;
  total += 1;
  const node = nodes.get(id);
  if (node.callFrame.functionName === '(idle)') return;
  busy += 1;
  const key = area(node.callFrame);
  self.set(key, (self.get(key) ?? 0) + 1);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = frame(nodes.get(at).callFrame);
    if (!seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    }
  }
});

const share = (count) => `${((100 * count) / busy).toFixed(1).padStart(5)}%`;
const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
process.stdout.write(`${total} samples, ${busy} busy (${((100 * busy) / Math.max(1, total)).toFixed(0)}%)\n\nself time by package\n`);
for (const [key, count] of sorted(self)) process.stdout.write(`${share(count)} ${key}\n`);
process.stdout.write('\ninclusive time by function\n');
for (const [key, count] of sorted(inclusive)) process.stdout.write(`${share(count)} ${key}\n`);
