// A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). The tracker
// draws its update-timeout jitter from it, so one --seed gives one run. Its state is four 32-bit
// words and can be saved and restored, so a replay resumed from a --db continues the same sequence.

interface Prng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** The generator's state as text (to persist); restore it with setState. */
  getState(): string;
  setState(state: string): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** A generator seeded from any integer (the --seed option). The same seed always gives the same sequence. */
export function createPrng(seed: number): Prng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // Fold the seed's high bits in so seeds above 2^32 still differ.
  const hi = Math.floor(Math.abs(seed) / 0x1_0000_0000) >>> 0;
  const mix = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
  const s = new Uint32Array([mix(), mix(), mix(), mix()]);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  return {
    next(): number {
      // 53 random bits -> [0, 1)
      const a = nextU32() >>> 5;
      const b = nextU32() >>> 6;
      return (a * 67108864 + b) / 9007199254740992;
    },
    getState(): string {
      return Array.from(s, (w) => w.toString(16).padStart(8, '0')).join('');
    },
    setState(state: string): void {
      if (!/^[0-9a-f]{32}$/.test(state)) throw new RangeError(`invalid PRNG state "${state}"`);
      for (let i = 0; i < 4; i++) s[i] = parseInt(state.slice(i * 8, i * 8 + 8), 16) >>> 0;
    },
  };
}
