// How the CLI speaks: every error line starts "ha-dedup: " (commander's own included), help is
// wrapped to the terminal, and text that came from input is printed with control characters
// escaped. Functions the entry point applies to its commander program.
import type { Command } from 'commander';
import { printable } from '../report/format.js';
import { goFlagHint } from './goflags.js';
import { terminalWidth } from './tty.js';
import { processIo, type CliIo } from './io.js';

/**
 * commander's error text ("error: unknown option '--x'\n(Did you mean --y?)\n") as one line in
 * ha-dedup's voice, with the ha-dedup option for a Cortex/Mimir flag.
 */
function commanderErrorLine(str: string): string {
  const text = str
    .replace(/^error: /, '')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .join(' ');
  const m = /^unknown option '([^']+)'/.exec(text);
  const hint = m ? goFlagHint(m[1]!) : undefined;
  return `ha-dedup: ${printable(text)}${hint ? `: ${hint}` : ''}\n`;
}

/** Help width: the terminal's (COLUMNS, then its size) when help goes to one, else 80 as commander does. */
export function helpWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number {
  return terminalWidth(stream, env) ?? 80;
}

/**
 * Apply the voice to `program` before its commands are added (commander copies these settings
 * into each command it creates). Descriptions wrap into columns as narrow as 20, so replay's long
 * option names still leave its help wrapped at 80 (commander's default gives up below 40).
 */
export function configureVoice(program: Command, io: CliIo = processIo()): Command {
  return program
    .configureHelp({ minWidthToWrap: 20 })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (str, w) => w(commanderErrorLine(str)),
      getOutHelpWidth: () => helpWidth(io.stdout, io.env),
      getErrHelpWidth: () => helpWidth(io.stderr, io.env),
    });
}

/** An error message as the one line written for it. */
export function errorLine(message: string): string {
  return `ha-dedup: ${printable(message)}\n`;
}
