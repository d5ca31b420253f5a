/**
 * Seeded pseudo-random numbers. Every random choice in a dataset comes from an `Rng` built from
 * an array seed such as `[seed, STREAM_XAPI, batchIndex]`, so any batch can be generated alone,
 * in any order, on any worker, and still produce the same bytes.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of
 * state, 32-bit integer operations only (fast in V8), passes PractRand to terabytes.
 */

/** The randomness contract builders receive. Never a module-level global. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
}

/** murmur3's 32-bit finalizer: a full-avalanche bijection on 32-bit integers. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds an array of integers (each up to 2^53) into a 32-bit hash, order-sensitive. */
export function hashInts(parts: readonly number[], salt: number): number {
  let h = mix32(salt ^ 0x9e3779b9);
  for (const part of parts) {
    const lo = part >>> 0;
    const hi = Math.floor(part / 0x1_0000_0000) >>> 0;
    h = mix32(h ^ lo) + 0x7f4a7c15;
    h = mix32(h ^ hi ^ 0x165667b1) + 0x27d4eb2f;
  }
  return mix32(h);
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(parts: readonly number[]) {
    this.a = hashInts(parts, 1);
    this.b = hashInts(parts, 2);
    this.c = hashInts(parts, 3);
    this.d = 1;
    // Warm up so that nearby seeds diverge completely.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }
}

/**
 * Builds the generator for one stream.
 * @example
 * const rng = createRng([config.seed, STREAM.xapi, batchIndex]);
 */
export function createRng(seed: readonly number[]): Rng {
  for (const part of seed) {
    if (!Number.isSafeInteger(part) || part < 0) {
      throw new RangeError(`createRng: seed parts must be non-negative safe integers, got ${part}`);
    }
  }
  return new Sfc32(seed);
}

/** Stream identifiers: one per independent family of random choices. */
export const STREAM = {
  world: 1,
  actors: 2,
  xapi: 3,
  enrollments: 4,
  courseOverviews: 5,
  courseBlocks: 6,
  objectTags: 7,
  taxonomy: 8,
  tags: 9,
  externalIds: 10,
  userProfiles: 11,
} as const;

/** Integer in [lo, hi) — Python's `randrange(lo, hi)`. */
export function randRange(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo));
}

/** Integer in [lo, hi] — Python's `randint(lo, hi)`. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}

/** Uniform element — Python's `choice`. The array must not be empty. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)] as T;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(x: number): string {
  return (
    (HEX[(x >>> 24) & 0xff] as string) +
    (HEX[(x >>> 16) & 0xff] as string) +
    (HEX[(x >>> 8) & 0xff] as string) +
    (HEX[x & 0xff] as string)
  );
}

/** Eight lowercase hex digits (a short block / thread id, like `uuid4().hex[:8]`). */
export function randHex8(rng: Rng): string {
  return hex32(rng.nextUint32());
}

const HEX_CODES = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));

/** Char code of the hex digit of `word` at bit `shift`. */
function nib(word: number, shift: number): number {
  return HEX_CODES[(word >>> shift) & 15] as number;
}

/**
 * Formats four 32-bit words as an RFC 4122 version-4 UUID string. One `fromCharCode` call makes
 * a flat string directly; building it from hex pieces measured 3x slower (ids are on the hot path).
 */
export function formatUuid4(w0: number, w1: number, w2: number, w3: number): string {
  const b = ((w1 & 0xffff0fff) | 0x00004000) >>> 0;
  const c = ((w2 & 0x3fffffff) | 0x80000000) >>> 0;
  // biome-ignore format: one UUID, laid out as its groups
  return String.fromCharCode(
    nib(w0, 28), nib(w0, 24), nib(w0, 20), nib(w0, 16), nib(w0, 12), nib(w0, 8), nib(w0, 4), nib(w0, 0), 45,
    nib(b, 28), nib(b, 24), nib(b, 20), nib(b, 16), 45,
    nib(b, 12), nib(b, 8), nib(b, 4), nib(b, 0), 45,
    nib(c, 28), nib(c, 24), nib(c, 20), nib(c, 16), 45,
    nib(c, 12), nib(c, 8), nib(c, 4), nib(c, 0),
    nib(w3, 28), nib(w3, 24), nib(w3, 20), nib(w3, 16), nib(w3, 12), nib(w3, 8), nib(w3, 4), nib(w3, 0),
  );
}

/** A random version-4 UUID drawn from `rng`. */
export function randUuid4(rng: Rng): string {
  return formatUuid4(rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32());
}

/** A version-4 UUID that is a pure function of `parts` (no generator state needed). */
export function hashedUuid4(parts: readonly number[]): string {
  return formatUuid4(hashInts(parts, 11), hashInts(parts, 12), hashInts(parts, 13), hashInts(parts, 14));
}
