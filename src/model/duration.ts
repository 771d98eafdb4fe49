// Prometheus-style durations: "500ms", "15s", "1m30s", "1h", "0s", "0". Returns milliseconds.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const RE = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

/** Milliseconds for a Prometheus duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  if (t === '' || !RE.test(t)) return undefined;
  const m = RE.exec(t)!;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0;
  for (let i = 0; i < units.length; i++) {
    const n = m[2 + i * 2];
    if (n !== undefined) ms += Number(n) * UNIT_MS[units[i]!]!;
  }
  return ms;
}

/** Shortest Prometheus form of a duration in ms, e.g. 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [u, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) { out += `${n}${u}`; rest -= n * size; }
  }
  return sign + out;
}
