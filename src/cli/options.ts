// Option values shared by the commands: byte sizes, counts, listen addresses, the input format,
// and the names of the input formats as every command's help and usage errors show them. One
// place each (issue 15.7): a command's own options are parsed in its file under commands/ (send's
// in sendoptions.ts).
import type { InputFormat } from '../model/index.js';
import { usageError } from '../model/index.js';
import { INPUT_FORMATS } from '../pipeline/inputs.js';

/** The input formats, in the order help lists them: "rwcap, rwcap-json, remote-write, ...". */
const INPUT_FORMAT_NAMES = INPUT_FORMATS.join(', ');

/** The values of a --format option: "auto, rwcap, ...". */
export const INPUT_FORMAT_CHOICES = `auto, ${INPUT_FORMAT_NAMES}`;

/** The help of the [INPUT...] argument of a command that reads inputs (`what`: "capture files", "inputs"). */
export function inputsArgumentHelp(what: string): string {
  return `${what} (${INPUT_FORMAT_NAMES}; gzip ok); none or - reads stdin`;
}

/** The input format option: "auto" or one of INPUT_FORMATS. Undefined when not one. */
function parseInputFormat(text: string): InputFormat | 'auto' | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'auto') return 'auto';
  return (INPUT_FORMATS as readonly string[]).includes(t) ? (t as InputFormat) : undefined;
}

/** A --format value, or a usage error naming `flag` and the choices. */
export function inputFormatOption(text: string, flag = '--format'): InputFormat | 'auto' {
  const f = parseInputFormat(text);
  if (f === undefined) throw usageError(`${flag}: "${text}" is not one of ${INPUT_FORMAT_CHOICES}`);
  return f;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1000, kb: 1000, ki: 1024, kib: 1024,
  m: 1e6, mb: 1e6, mi: 1024 ** 2, mib: 1024 ** 2,
  g: 1e9, gb: 1e9, gi: 1024 ** 3, gib: 1024 ** 3,
};

/** The bytes a size names ("67108864", "64MiB", "64mb", "512 KiB", "10MB" decimal, "1GiB"), 0 included; undefined when not a size. */
function sizeBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isFinite(n) ? n : undefined;
}

/** A byte size of more than 0 bytes; undefined when not one. */
export function parseByteSize(text: string): number | undefined {
  const n = sizeBytes(text);
  return n !== undefined && n > 0 ? n : undefined;
}

/** A byte size of more than 0 bytes, or a usage error naming `option`. */
export function parseSize(text: string, option: string): number {
  const n = sizeBytes(text);
  if (n === undefined) throw usageError(`${option}: "${text}" is not a size (e.g. 33554432, 32MiB, 512KiB, 10MB)`);
  if (!(n > 0)) throw usageError(`${option}: must be more than 0 bytes, got "${text}"`);
  return n;
}

/** A non-negative integer count. */
export function parseCount(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`${option}: "${text}" is not a whole number`);
  return Number(text.trim());
}

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

/** A --max-decoded-size value, or a usage error. */
export function maxDecodedSizeOption(text: string): number {
  const n = parseByteSize(text);
  if (n === undefined) throw usageError(`--max-decoded-size: "${text}" is not a size (e.g. 67108864, 64MiB)`);
  return n;
}
