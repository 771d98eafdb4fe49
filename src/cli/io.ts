// What a command reads and writes besides its arguments: the standard streams and the
// environment. bin/ha-dedup passes the process's own (processIo); tests pass captured streams
// and their own environment and run a command in process (test/cli/run.ts).

/** A stream a command writes text or data to; isTTY and columns as a terminal's WriteStream has them. */
export interface OutStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

/** Standard input: read only when an input is "-" (or none is given). */
export interface InStream extends AsyncIterable<Uint8Array> {
  isTTY?: boolean;
}

export interface CliIo {
  readonly stdin: InStream;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** The environment (NO_COLOR, COLUMNS, HA_DEDUP_* ...). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * End the process now with `code` (a second SIGINT/SIGTERM during a replay): process.exit for
   * the process's own io; a test's io throws, as nothing in process may end the test runner.
   */
  exitNow(code: number): never;
  /**
   * What became of stdout and stderr (src/cli/stdio.ts): set by runMain, which hands every
   * command its io with both streams guarded (a failed write is recorded, never thrown).
   */
  readonly stdio?: import('./stdio.js').StdioState;
}

/**
 * The process's own streams and environment. stdin is looked up when first used: touching
 * process.stdin opens it, which a command that reads no stdin should not do.
 */
export function processIo(): CliIo {
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    exitNow: (code) => process.exit(code),
  };
}
