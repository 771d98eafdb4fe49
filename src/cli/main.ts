// The CLI's entry: builds the commander program, runs it, and maps every failure to one line on
// stderr and an exit code (SPEC 2). runMain returns the code; only bin/ha-dedup calls
// process.exit, so a test runs a command in process (test/cli/run.ts). Nothing runs at import.
import { Command, CommanderError } from 'commander';
import { HaDedupError, EXIT, usageError } from '../model/index.js';
import { setSnappyDecoder } from '../wire/snappy.js';
import { register as registerReplay } from './commands/replay.js';
import { register as registerRecord } from './commands/record.js';
import { register as registerInspect } from './commands/inspect.js';
import { register as registerConvert } from './commands/convert.js';
import { register as registerState } from './commands/state.js';
import { register as registerSend } from './commands/send.js';
import { register as registerDoctor } from './commands/doctor.js';
import { configureVoice, errorLine } from './voice.js';
import { processIo, type CliIo } from './io.js';
import { guardIo } from './stdio.js';

export { processIo, type CliIo } from './io.js';

export const VERSION = '0.1.0';

export function buildProgram(io: CliIo = processIo()): Command {
  const program = configureVoice(new Command(), io);
  program
    .name('ha-dedup')
    .description(
      'Replay recorded Prometheus remote-write traffic through the Cortex/Mimir HA tracker: deduplicated samples plus a report of elections and what they cost.',
    )
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride();
  registerReplay(program, io);
  registerRecord(program, io);
  registerInspect(program, io);
  registerConvert(program, io);
  registerState(program, io);
  registerSend(program, io);
  registerDoctor(program, io);
  for (const c of program.commands) c.exitOverride();
  return program;
}

function isEpipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EPIPE';
}

/**
 * The exit code for a failure, with its one line written to `io.stderr` (SPEC 2): EPIPE on
 * stdout (`ha-dedup x | head`) is a quiet 0, help and version are 0, commander's usage errors
 * (already printed) 2, an HaDedupError its own code, anything else an internal error (4).
 */
export function exitCodeFor(err: unknown, io: CliIo): number {
  if (isEpipe(err)) return EXIT.ok;
  if (err instanceof HaDedupError) {
    io.stderr.write(errorLine(err.message));
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version are not errors
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  const e = err as Error;
  io.stderr.write(
    errorLine(`internal error: ${e?.message ?? String(err)}`) + 'ha-dedup: this is a bug; please report it with the command line and input that caused it.\n',
  );
  if (io.env.HA_DEDUP_DEBUG) io.stderr.write(`${e?.stack ?? ''}\n`);
  return EXIT.internal;
}

/**
 * HA_DEDUP_SNAPPY=js: decompress with our JavaScript snappy decoder instead of the WebAssembly
 * one (README "Performance"; the bench and the tests compare the two). Unset or empty: wasm.
 */
function snappyFromEnv(v: string | undefined): void {
  if (v === undefined || v === '') return setSnappyDecoder('auto');
  if (v !== 'js') throw usageError(`HA_DEDUP_SNAPPY: "${v}" is not js (leave it unset for the WebAssembly decoder)`);
  setSnappyDecoder('js');
}

/**
 * Run `argv` (node's form: [node, script, ...args]) against `io`; resolves to the exit code and
 * never exits. bin/ha-dedup exits at once with a code other than 0; on 0 it lets the process end
 * by itself once its work is drained, as it always has.
 *
 * The command gets `io` with stdout and stderr guarded (src/cli/stdio.ts): a stdout that cannot
 * be written (other than its reader going away) or a stderr that cannot be written makes the
 * exit code 2 whatever the command returned, with one line on stderr when it still works
 * (issue 12.10).
 */
export async function runMain(argv: readonly string[], rawIo: CliIo = processIo()): Promise<number> {
  const io = guardIo(rawIo);
  let code: number;
  try {
    snappyFromEnv(io.env.HA_DEDUP_SNAPPY);
    await buildProgram(io).parseAsync([...argv]);
    code = EXIT.ok;
  } catch (err) {
    code = exitCodeFor(err, io);
  }
  await io.stdio.settled();
  if (io.stdio.failed) {
    const line = io.stdio.failureLine();
    if (line !== null && !io.stdio.reported) io.stderr.write(line);
    code = EXIT.usage;
  }
  io.stdio.removeTemporaries();
  return code;
}
