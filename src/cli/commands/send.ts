// `ha-dedup send [INPUT...] --url URL`: post the requests of any input to a remote-write
// receiver (issue 17, SPEC 12). This layer parses options, wires signals and the progress line,
// prints and sets the exit code; the sender lives in src/send.
import type { Command } from 'commander';
import { HaDedupError, formatDuration, stableJson } from '../../model/index.js';
import { BadRecordWarnings, checkInputs } from '../../pipeline/inputs.js';
import { DEFAULT_MAX_DECODED_SIZE } from '../../wire/snappy.js';
import type { SendOptionValues, Sender } from '../../send/index.js';
import { checkOutputs, namedInputs, reserveReportFile } from '../outfile.js';
import { printable } from '../../report/format.js';
import type { CliIo } from '../io.js';
import type { StdioState } from '../stdio.js';

/** The streams the command writes to (the process's; tests of the library pass their own). */
export interface SendIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Temporary output files are registered here (src/cli/stdio.ts), when given. */
  stdio?: StdioState;
}

const PROGRESS_AFTER_MS = 1000;
const PROGRESS_EVERY_MS = 250;

export function register(program: Command, io: CliIo): void {
  program
    .command('send')
    .description(
      'post the requests of any input to a remote-write receiver (Prometheus, Cortex, Mimir, VictoriaMetrics, record) in clock order, retrying as Prometheus does',
    )
    .argument('[INPUT...]', 'inputs (rwcap, rwcap-json, remote-write, ndjson, vm-json; gzip ok); none or - reads stdin')
    .requiredOption('--url <url>', 'remote-write endpoint, e.g. http://127.0.0.1:9090/api/v1/write')
    .option('--protocol <version>', 'remote-write 1 or 2 (default: as recorded; sample formats: 1)')
    .option('--tenant <id>', 'X-Scope-OrgID for records that carry no tenant (default: none)')
    .option('--keep-headers', 'also send the recorded headers (never credentials or the headers the sender sets)')
    .option('--max-samples-per-send <n>', 'largest request made from sample formats (ndjson, vm-json)', '2000')
    .option('--pace <speed>', 'max (as fast as the receiver takes), or 1x, 10x, ...: the recorded times replayed at that speed', 'max')
    .option('--concurrency <n>', 'requests in flight at once (1 keeps the order)', '1')
    .option('--shift-to-now', 'move every timestamp by one constant so the newest sample lands at the wall clock now (printed)')
    .option('--retries <n>', 'retries of a request answered 5xx or 429, or not answered (0 = none)', '10')
    .option('--min-backoff <duration>', 'first wait before a retry; doubled each time', '30ms')
    .option('--max-backoff <duration>', 'longest wait before a retry (Retry-After is honoured as given)', '5s')
    .option('--timeout <duration>', 'time limit of one attempt', '30s')
    .option('--report <file>', 'write the JSON report to FILE ("-" for stdout)')
    .option('--bearer-token-file <file>', 'send Authorization: Bearer with the token in FILE')
    .option('--basic-auth-user <user>', 'basic authentication user (with --basic-auth-password-file)')
    .option('--basic-auth-password-file <file>', 'basic authentication password, read from FILE')
    .option('--ca-file <file>', 'CA certificate(s) to verify the receiver with (PEM)')
    .option('--cert-file <file>', 'client certificate (PEM, with --key-file)')
    .option('--key-file <file>', 'client certificate key (PEM)')
    .option('--insecure-skip-verify', 'do not verify the receiver\'s certificate')
    .option('--format <format>', 'input format: auto, rwcap, rwcap-json, remote-write, remote-write2, ndjson, vm-json', 'auto')
    .option('--strict', 'stop at the first bad record (exit 3)')
    .option('--max-decoded-size <bytes>', 'largest decoded body accepted (e.g. 64MiB)', String(DEFAULT_MAX_DECODED_SIZE))
    .action(async (inputs: string[], o: SendOptionValues, cmd: Command) => {
      await runSendCommand(inputs, o, `ha-dedup/${cmd.parent?.version() ?? '0'}`, { stdout: io.stdout, stderr: io.stderr, ...(io.stdio !== undefined ? { stdio: io.stdio } : {}) });
    });
}

/**
 * Exit: 0 when every request was acknowledged; 1 ('refused') when some were not; 130
 * ('interrupted') when a signal stopped it before the end of its input and none was refused;
 * 3 when an input failed (--strict). The summary line is printed first in every case.
 */
export async function runSendCommand(inputs: string[], o: SendOptionValues, userAgent: string, io: SendIO): Promise<void> {
  // the sender is loaded when `send` runs, not for every command (start-up of the CLI)
  const send = await import('../../send/index.js');
  const cfg = send.parseSendOptions(o);
  const creds = send.readCredentials(cfg);
  const paths = inputs.length === 0 ? ['-'] : inputs;
  checkInputs(paths);
  // issue 12.9: the report never overwrites an input, and is put in place only at the end
  if (cfg.report !== null && cfg.report !== '-') checkOutputs([{ what: '--report', path: cfg.report }], namedInputs(paths));
  const reportFile = cfg.report !== null && cfg.report !== '-' ? reserveReportFile(cfg.report, '--report', io.stdio) : null;
  const err = io.stderr;

  let sender: Sender | null = null;
  let signal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal === null) {
      signal = sig;
      clearProgress();
      err.write(`ha-dedup send: ${sig}: sending nothing more, finishing the requests in flight (again to abort them)\n`);
      sender?.stop();
    } else {
      sender?.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) err.write('\r\x1b[2K');
    progressShown = false;
  };
  const warn = (line: string) => {
    clearProgress();
    err.write(`ha-dedup: warning: ${printable(line)}\n`);
  };
  let timer: NodeJS.Timeout | undefined;

  let result;
  const badWarnings = new BadRecordWarnings((line) => {
    clearProgress();
    err.write(printable(line) + '\n');
  });
  try {
    result = await send.runSend(paths, cfg, creds, {
      userAgent,
      onBadRecord: (bad) => badWarnings.bad(bad),
      onRefused: (r, post, ordinal) => {
        if (ordinal <= send.MAX_LISTED_REFUSALS) warn(send.refusalText(r, post));
        else if (ordinal === send.MAX_LISTED_REFUSALS + 1) warn(`more than ${send.MAX_LISTED_REFUSALS} requests refused; the rest are counted, not listed`);
      },
      onShift: (shiftMs, newestMs, nowMs) => {
        if (newestMs === null) {
          err.write('ha-dedup send: --shift-to-now: the input holds no sample; nothing is moved\n');
          return;
        }
        const sign = shiftMs >= 0 ? '+' : '-';
        err.write(
          `ha-dedup send: --shift-to-now: every timestamp moved by ${sign}${Math.abs(shiftMs)}ms (${sign}${formatDuration(Math.abs(shiftMs))}): the newest sample, ${new Date(newestMs).toISOString()}, lands at ${new Date(nowMs).toISOString()}\n`,
        );
      },
      onSender: (s) => {
        sender = s;
        if (signal !== null) s.stop();
        if (err.isTTY) {
          const started = Date.now();
          timer = setInterval(() => {
            if (Date.now() - started < PROGRESS_AFTER_MS) return;
            err.write(`\r\x1b[2K${send.progressText(s.progress())}`);
            progressShown = true;
          }, PROGRESS_EVERY_MS);
        }
      },
    });
  } catch (e) {
    reportFile?.discard();
    throw e;
  } finally {
    if (timer !== undefined) clearInterval(timer);
    clearProgress();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  badWarnings.finish();
  const { report, failure } = result;
  const retries = result.sender.progress().retries;
  err.write(send.summaryLine(report, retries, result.sender.refusedStatuses(), signal) + '\n');
  const json = stableJson(report);
  if (reportFile !== null) {
    reportFile.write(json);
  } else if (cfg.report === '-') {
    await new Promise<void>((resolve, reject) => io.stdout.write(json, (e) => (e ? reject(e) : resolve())));
  }
  if (failure !== null) throw failure;
  if (report.refused_requests > 0) {
    throw new HaDedupError('refused', `send: ${report.refused_requests} of ${report.requests} requests were refused (not acknowledged)`);
  }
  if (signal !== null) throw new HaDedupError('interrupted', `send: ${signal}: stopped before the end of the input`);
}
