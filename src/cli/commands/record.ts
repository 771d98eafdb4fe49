// `ha-dedup record --listen HOST:PORT -o FILE`: a remote-write receiver writing an rwcap
// capture (SPEC 2, 4.1, 10). This layer parses options, wires signals and prints; the receiver
// lives in src/record.
import type { Command } from 'commander';
import { unlinkSync } from 'node:fs';
import { parseDuration, usageError } from '../../model/index.js';
import type { CaptureSink, Recorder, RecorderStats } from '../../record/index.js';
import type { CliIo } from '../io.js';
import { printable } from '../../report/format.js';

// the receiver is loaded when `record` runs, not for every command (start-up of the CLI)
let rec: typeof import('../../record/index.js');

interface RecordCliOptions {
  listen: string;
  output: string;
  append?: boolean;
  tenant?: string;
  tenantFromPath?: string;
  maxBody: string;
  fsync?: boolean;
  duration?: string;
  maxRequests?: string;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('record')
    .description(
      'Receive Prometheus remote-write (1.0 and 2.0, POST on any path) and append every request to an rwcap capture; answers 204 only once the record is written.',
    )
    .option('--listen <host:port>', 'address to listen on (port 0 picks a free one; the actual address is printed on stderr)', '127.0.0.1:9201')
    .requiredOption('-o, --output <file>', 'capture file to write ("-" for stdout); an existing file is an error without --append')
    .option('--append', 'add to an existing capture (every record is checked; only a truncated last record is cut off, other damage is refused)')
    .option('--tenant <name>', 'tenant for requests without X-Scope-OrgID (and not matched by --tenant-from-path)')
    .option('--tenant-from-path <pattern>', 'take the tenant from the request path, e.g. /tenants/{tenant}/api/v1/push')
    .option('--max-body <size>', 'largest accepted body; larger ones are answered 413', '32MiB')
    .option('--fsync', 'fsync the capture before answering 204 (survives power loss, slower)')
    .option('--duration <duration>', 'stop after this long, e.g. 10m')
    .option('--max-requests <n>', 'stop after this many requests are recorded')
    .action(async (opts: RecordCliOptions) => {
      await runRecord(opts, io);
    });
}

async function runRecord(opts: RecordCliOptions, io: CliIo): Promise<void> {
  rec = await import('../../record/index.js');
  const { Recorder, openCaptureFile, openStdoutSink, parseListen, parseSize, parseCount, compileTenantPattern, validTenantId } = rec;
  // issue 12.11: what a sender or the system said is printed with its control characters escaped
  const log = (line: string) => io.stderr.write(`ha-dedup: ${printable(line)}\n`);
  const { host, port } = parseListen(opts.listen);
  const maxBody = parseSize(opts.maxBody, '--max-body');
  let durationMs: number | undefined;
  if (opts.duration !== undefined) {
    const d = parseDuration(opts.duration);
    if (d === undefined || d <= 0) throw usageError(`--duration: "${opts.duration}" is not a positive duration (e.g. 30s, 10m, 1h30m)`);
    durationMs = d;
  }
  const maxRequests = opts.maxRequests !== undefined ? parseCount(opts.maxRequests, '--max-requests') : undefined;
  if (maxRequests === 0) throw usageError('--max-requests: must be at least 1');
  if (opts.tenant !== undefined) {
    const invalid = validTenantId(opts.tenant);
    if (invalid !== null) throw usageError(`--tenant: "${opts.tenant}" is not a tenant id Cortex/Mimir accept: ${invalid}`);
  }
  if (opts.tenantFromPath !== undefined) compileTenantPattern(opts.tenantFromPath);

  const toStdout = opts.output === '-';
  if (toStdout && opts.append) throw usageError('--append cannot be used with -o - (stdout)');
  let sink: CaptureSink;
  let note = '';
  let created = false;
  if (toStdout) {
    sink = await openStdoutSink(1, log);
  } else {
    const opened = openCaptureFile(opts.output, opts.append ?? false, { log });
    sink = opened.sink;
    created = !opts.append;
    if (opts.append) note = `, appending after ${opened.existingRecords} records`;
    if (opened.droppedTailBytes > 0) {
      io.stderr.write(
        `ha-dedup: warning: ${opts.output}: cut off a truncated last record (${opened.droppedTailBytes} bytes at byte ${opened.sink.length}) left by an interrupted recorder; it was never acknowledged\n`,
      );
    }
  }

  let recorder: Recorder;
  try {
    recorder = await Recorder.start({
      host,
      port,
      sink,
      tenant: opts.tenant,
      tenantFromPath: opts.tenantFromPath,
      maxBody,
      fsync: opts.fsync ?? false,
      maxRequests,
      durationMs,
      log,
    });
  } catch (e) {
    await sink.close().catch(() => {});
    // leave no empty capture behind for a recorder that never started
    if (created) {
      try {
        unlinkSync(opts.output);
      } catch {
        // already gone
      }
    }
    const err = e as { code?: string; message?: string };
    if (err.code === 'EADDRINUSE') throw usageError(`--listen ${opts.listen}: address already in use`);
    if (err.code === 'EACCES') throw usageError(`--listen ${opts.listen}: permission denied`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw usageError(`--listen ${opts.listen}: no such local address`);
    throw e;
  }

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      io.stderr.write(`ha-dedup record: ${sig}: finishing requests in flight (again to close connections now)\n`);
      void recorder.stop(sig);
    } else {
      recorder.forceClose();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // after the handlers: a script that signals as soon as it reads this line stops the recorder cleanly
  io.stderr.write(`ha-dedup record: listening on ${recorder.url}, writing to ${toStdout ? 'stdout' : opts.output}${note}\n`);
  const stats = await recorder.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  io.stderr.write(summary(stats, toStdout ? 'stdout' : opts.output));
  if (stats.readerGone !== null) {
    throw usageError(
      `record: stopped because ${stats.readerGone}: ${stats.requests} requests were acknowledged (each once the reader had read it); the rest were answered 503`,
    );
  }
}

/** The stop summary on stderr: what was recorded (bodies and capture bytes apart), per tenant, what was not. */
export function summary(s: RecorderStats, output: string): string {
  const b = (n: number) => `${n} bytes${n >= 1024 ? ` (${rec.formatBytes(n)})` : ''}`;
  const lines = [
    `ha-dedup record: ${s.stopReason}: recorded ${s.requests} requests to ${output}`,
    `  ${b(s.bodyBytes)} of bodies; ${b(s.captureBytes)} of records written to ${output === 'stdout' ? 'stdout' : 'the file'}`,
  ];
  for (const [tenant, t] of [...s.tenants].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) {
    lines.push(`  tenant ${tenant === '' ? '(none)' : printable(tenant)}: ${t.requests} requests, ${t.bodyBytes} bytes of bodies`);
  }
  const rejected = [...s.rejected].sort(([a], [c]) => a - c);
  if (rejected.length > 0) lines.push(`  answered other than 204: ${rejected.map(([code, n]) => `${n}×${code}`).join(', ')}`);
  if (s.aborted > 0) lines.push(`  closed by the sender before the body was complete: ${s.aborted} (not recorded)`);
  if (s.timedOut > 0) {
    lines.push(
      `  closed by the recorder, not complete within the ${s.requestTimeoutMs / 1000} s request timeout: ${s.timedOut} (answered 408, not recorded)`,
    );
  }
  return lines.join('\n') + '\n';
}
