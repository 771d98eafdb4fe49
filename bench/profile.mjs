// Summarise a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file.
// usage: node bench/profile.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export function summariseProfile(path) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id -> µs
  const { samples, timeDeltas } = prof;
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map();
  const file = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}\u0000${url}\u0000${lineNumber}`;
    const e = fn.get(key) ?? { name, url, line: lineNumber + 1, us: 0 };
    e.us += us;
    fn.set(key, e);
    const f = url || `(${name})`;
    file.set(f, (file.get(f) ?? 0) + us);
  }
  const sorted = (m) => [...m].sort((a, b) => b.us - a.us);
  return {
    totalMs: total / 1000,
    functions: sorted([...fn.values()].map((e) => ({ ...e }))),
    files: [...file].map(([url, us]) => ({ url, us })).sort((a, b) => b.us - a.us),
  };
}

function where(url, root) {
  if (!url) return '';
  let p = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (root && p.startsWith(root)) p = relative(root, p);
  return p;
}

export function formatProfile(s, top = 25, root = '') {
  const pct = (us) => `${((100 * us) / (s.totalMs * 1000)).toFixed(1)}%`;
  const lines = [`Total sampled time ${(s.totalMs / 1000).toFixed(2)} s.`, '', '| self % | self ms | function | where |', '|---:|---:|---|---|'];
  for (const f of s.functions.slice(0, top)) lines.push(`| ${pct(f.us)} | ${(f.us / 1000).toFixed(0)} | ${f.name} | ${where(f.url, root)}${f.url ? `:${f.line}` : ''} |`);
  lines.push('', '| self % | file |', '|---:|---|');
  for (const f of s.files.slice(0, 15)) lines.push(`| ${pct(f.us)} | ${where(f.url, root)} |`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [path, top] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node bench/profile.mjs FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  process.stdout.write(formatProfile(summariseProfile(path), Number(top ?? 25), process.cwd()));
}
