// Entry point: builds the commander program, runs it, and maps every failure to one line on
// stderr and an exit code (SPEC 2). The only module that calls process.exit.
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

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = configureVoice(new Command());
  program
    .name('ha-dedup')
    .description(
      'Replay recorded Prometheus remote-write traffic through the Cortex/Mimir HA tracker: deduplicated samples plus a report of elections and what they cost.',
    )
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride();
  registerReplay(program);
  registerRecord(program);
  registerInspect(program);
  registerConvert(program);
  registerState(program);
  registerSend(program);
  registerDoctor(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

function isEpipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EPIPE';
}

export function fail(err: unknown): never {
  if (isEpipe(err)) process.exit(EXIT.ok); // `ha-dedup x | head` exits quietly
  if (err instanceof HaDedupError) {
    process.stderr.write(errorLine(err.message));
    process.exit(err.exitCode);
  }
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version are not errors
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(EXIT.ok);
    process.exit(EXIT.usage);
  }
  const e = err as Error;
  process.stderr.write(
    errorLine(`internal error: ${e?.message ?? String(err)}`) + 'ha-dedup: this is a bug; please report it with the command line and input that caused it.\n',
  );
  if (process.env.HA_DEDUP_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return process.exit(EXIT.internal);
}

process.stdout.on('error', (err: unknown) => fail(err));

/**
 * HA_DEDUP_SNAPPY=js: decompress with our JavaScript snappy decoder instead of the WebAssembly
 * one (README "Performance"; the bench and the tests compare the two). Unset or empty: wasm.
 */
function snappyFromEnv(v: string | undefined): void {
  if (v === undefined || v === '') return;
  if (v !== 'js') throw usageError(`HA_DEDUP_SNAPPY: "${v}" is not js (leave it unset for the WebAssembly decoder)`);
  setSnappyDecoder('js');
}

export async function main(argv: string[]): Promise<void> {
  try {
    snappyFromEnv(process.env.HA_DEDUP_SNAPPY);
    await buildProgram().parseAsync(argv);
  } catch (err) {
    fail(err);
  }
}

await main(process.argv);
