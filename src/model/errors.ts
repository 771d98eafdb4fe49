// The one error class of ha-dedup: a message for the user plus the exit code it maps to (SPEC 2).

export const EXIT = {
  ok: 0,
  expectFailed: 1,
  usage: 2,
  input: 3,
  state: 4,
  internal: 70,
  /** `send`: some requests were refused (not acknowledged). */
  refused: 1,
  /** Stopped by SIGINT/SIGTERM before the end of its work (128 + SIGINT, the shell's convention). */
  interrupted: 130,
  /** Stopped by SIGTERM before the end of its work (128 + SIGTERM). */
  terminated: 143,
} as const;

export type ErrorKind = 'usage' | 'input' | 'state' | 'expect' | 'internal' | 'refused' | 'interrupted' | 'terminated';

const KIND_EXIT: Record<ErrorKind, number> = {
  usage: EXIT.usage,
  input: EXIT.input,
  state: EXIT.state,
  expect: EXIT.expectFailed,
  internal: EXIT.internal,
  refused: EXIT.refused,
  interrupted: EXIT.interrupted,
  terminated: EXIT.terminated,
};

export class HaDedupError extends Error {
  readonly kind: ErrorKind;
  readonly exitCode: number;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = 'HaDedupError';
    this.kind = kind;
    this.exitCode = KIND_EXIT[kind];
  }
}

export const usageError = (message: string) => new HaDedupError('usage', message);
export const inputError = (message: string) => new HaDedupError('input', message);
export const stateError = (message: string) => new HaDedupError('state', message);
