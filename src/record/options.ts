// Parsing of `record`'s option values (kept out of the CLI layer so it can be tested alone).
import { usageError } from '../model/index.js';

/** "HOST:PORT", ":PORT" (all interfaces), "[::1]:PORT" or "PORT". Port 0 picks a free one. */
export function parseListen(text: string): { host: string; port: number } {
  const t = text.trim();
  let host: string;
  let portText: string;
  const m6 = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (m6) {
    host = m6[1]!;
    portText = m6[2]!;
  } else if (/^\d+$/.test(t)) {
    host = '';
    portText = t;
  } else {
    const i = t.lastIndexOf(':');
    if (i < 0 || t.indexOf(':') !== i) {
      throw usageError(`--listen: "${text}" is not HOST:PORT (e.g. 127.0.0.1:9201, :9201, [::1]:9201)`);
    }
    host = t.slice(0, i);
    portText = t.slice(i + 1);
  }
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw usageError(`--listen: port "${portText}" in "${text}" is not a number from 0 to 65535`);
  }
  // "" and "0.0.0.0" listen on every interface; node wants "::" or "0.0.0.0" spelled out
  return { host: host === '' ? '0.0.0.0' : host, port: Number(portText) };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A byte size: "33554432", "32MiB", "512KiB", "10MB" (decimal), "1GiB". Must be > 0. */
export function parseSize(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw usageError(`${option}: "${text}" is not a size (e.g. 33554432, 32MiB, 512KiB, 10MB)`);
  }
  const n = Math.floor(Number(m[1]) * unit);
  if (!(n > 0)) throw usageError(`${option}: must be more than 0 bytes, got "${text}"`);
  return n;
}

/** A non-negative integer count. */
export function parseCount(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`${option}: "${text}" is not a whole number`);
  return Number(text.trim());
}

/** "32 MiB"-style rendering for summaries. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
