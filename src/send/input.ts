// The input side of send, today: every input read with the existing readers
// (src/pipeline/inputs.ts: openInput, merged in clock order by mergeInputs) and turned into
// SourceRequests. This file is the only one of src/send that knows how inputs are read; with the
// event pipeline of issue 15 it is replaced by a Consumer whose request events become
// SourceRequests (the decoded request materialised as a WriteRequest, its captured envelope,
// DecodedRequest.protocol), and nothing else in src/send changes.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BadRecord, InputFormat, RemoteWriteVersion, Request } from '../model/index.js';
import { mergeInputs, openInput } from '../pipeline/inputs.js';
import { remoteWriteVersion } from '../wire/body.js';
import { newestTimestamp } from './encode.js';
import type { SourceRequest } from './types.js';

export interface InputOptions {
  format: InputFormat | 'auto';
  maxDecodedSize: number;
  strict: boolean;
  onBadRecord(bad: BadRecord): void;
}

const LINE_FORMATS: ReadonlySet<InputFormat> = new Set(['rwcap-json', 'ndjson', 'vm-json']);

/**
 * The requests of `paths` ("-" = stdin), merged in clock order (receive time where the input has
 * one, else newest sample time; ties keep input order), as the sender takes them.
 */
export async function* sourceRequests(paths: readonly string[], opts: InputOptions): AsyncGenerator<SourceRequest> {
  const formats: (InputFormat | null)[] = paths.map(() => null);
  const inputs = paths.map((p, i) =>
    openInput(p, i, { format: opts.format, maxDecodedSize: opts.maxDecodedSize, strict: opts.strict, onBadRecord: opts.onBadRecord, onFormat: (f) => (formats[i] = f) }),
  );
  for await (const { request, timeMs } of mergeInputs(inputs, { source: 'received', delayMs: 0 }, { maxDecodedSize: opts.maxDecodedSize })) {
    yield toSource(request, timeMs, paths[request.inputIndex]!, formats[request.inputIndex]!);
  }
}

function toSource(req: Request, timeMs: number, path: string, format: InputFormat): SourceRequest {
  const c = req.captured;
  let protocol: RemoteWriteVersion | null = null;
  if (c !== undefined) protocol = remoteWriteVersion(c.contentType);
  else if (format === 'remote-write') protocol = 'rw1';
  else if (format === 'remote-write2') protocol = 'rw2';
  return {
    tenant: req.tenant,
    timeMs,
    protocol,
    write: req.write,
    body: c === undefined ? null : { bytes: c.body, encoding: c.contentEncoding },
    headers: c?.headers ?? {},
    origin: { input: path, unit: LINE_FORMATS.has(format) ? 'line' : 'record', first: req.recordIndex, last: req.recordIndex },
  };
}

/** The newest sample (or histogram) timestamp of all inputs, or null when they hold none (--shift-to-now reads them once first). */
export async function newestSampleTimestamp(paths: readonly string[], opts: InputOptions): Promise<number | null> {
  let max: number | null = null;
  for (let i = 0; i < paths.length; i++) {
    for await (const req of openInput(paths[i]!, i, { format: opts.format, maxDecodedSize: opts.maxDecodedSize, strict: opts.strict, onBadRecord: () => {} })) {
      const t = newestTimestamp(req.write);
      if (t !== null && (max === null || t > max)) max = t;
    }
  }
  return max;
}

/**
 * Standard input copied to a temporary file (for --shift-to-now, which reads the input twice):
 * the file's path, and a function that removes it.
 */
export async function spoolStdin(): Promise<{ path: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ha-dedup-send-'));
  const path = join(dir, 'stdin');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await pipeline(process.stdin, createWriteStream(path));
  } catch (e) {
    remove();
    throw e;
  }
  return { path, remove };
}
