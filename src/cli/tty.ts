// Terminal concerns of the CLI: whether to colour, and the progress line on stderr. The only
// place the replay reads the wall clock (to pace the progress line).

import { isoUtc } from '../report/format.js';

/** Colour only on a TTY; NO_COLOR (non-empty) and --no-color turn it off. */
export function useColor(stream: { isTTY?: boolean }, flag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

interface ProgressStats {
  requests: number;
  samples: number;
  nowMs: number;
}

/**
 * A single self-overwriting status line on a TTY stderr: requests, samples, simulated time and
 * decode rate. Shown only once a run has lasted `afterMs` of wall time, redrawn at most every
 * `everyMs`; cleared before anything else is printed.
 */
export class ProgressLine {
  private readonly start: number;
  private last = 0;
  private shown = false;

  constructor(
    private readonly stream: { write(s: string): unknown; columns?: number },
    private readonly afterMs = 1000,
    private readonly everyMs = 250,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.start = wallClock();
  }

  update(p: ProgressStats): void {
    const now = this.wallClock();
    if (now - this.start < this.afterMs || now - this.last < this.everyMs) return;
    this.last = now;
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? Math.round(p.samples / secs) : 0;
    const sim = isoUtc(p.nowMs); // arithmetic: no "Invalid time value" past the Date range (--delay on a late time)
    let line = `replay: ${p.requests} requests, ${p.samples} samples, simulated ${sim}, ${rate} samples/s`;
    // a line wider than the terminal would wrap, and \r would then redraw only its last part
    const cols = this.stream.columns;
    if (typeof cols === 'number' && cols > 1 && line.length >= cols) line = line.slice(0, cols - 1);
    this.stream.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

/**
 * The width to lay text out for on `stream`: undefined when it is not a terminal (a pipe or a
 * file gets the full tables, so golden files stay stable); on a terminal COLUMNS when set to a
 * positive number (as ls does), else the terminal's own width, else 80.
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (stream.isTTY !== true) return undefined;
  const c = env.COLUMNS?.trim();
  if (c !== undefined && /^\d+$/.test(c) && Number(c) > 0) return Number(c);
  if (typeof stream.columns === 'number' && stream.columns > 0) return stream.columns;
  return 80;
}

/** Whether the inputs read stdin and stdin is a terminal (someone is about to type, or wonders why nothing happens). */
export function readsTerminalStdin(inputs: readonly string[], stdin: { isTTY?: boolean } = process.stdin): boolean {
  return stdin.isTTY === true && (inputs.length === 0 || inputs.includes('-'));
}

/** The one line said when replay or inspect waits for a terminal's stdin. */
export const STDIN_HINT = 'ha-dedup: reading remote-write data from stdin; Ctrl-D to end';
