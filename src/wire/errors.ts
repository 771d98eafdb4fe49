// The error every decoder throws for bad bytes. `reason` is the short text that ends up in the
// warning line "ha-dedup: warning: <input>: record <i> at byte <offset>: <reason>" (SPEC 10).

export class WireError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'WireError';
    this.reason = reason;
  }
}

export function isWireError(e: unknown): e is WireError {
  return e instanceof WireError;
}
