/**
 * A small seeded PRNG (mulberry32) and the few draws the stream generator needs. Not for anything
 * secret: its point is that the same seed gives the same numbers on every machine.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An entry chosen with probability proportional to its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** 32 random lowercase hex digits. */
  hex32(): string;
}

export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const word = (): string => Math.floor(next() * 4294967296).toString(16).padStart(8, '0');
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted: (entries) => {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let r = next() * total;
      for (const [item, weight] of entries) {
        r -= weight;
        if (r < 0) return item;
      }
      return entries[entries.length - 1]![0];
    },
    hex32: () => word() + word() + word() + word(),
  };
  return rng;
}

/** A version-4-shaped UUID made of PRNG digits: valid for PostgreSQL's `uuid` and zod's `guid`. */
export function uuidLike(rng: Rng): string {
  const h = rng.hex32();
  const variant = '89ab'[parseInt(h[16]!, 16) % 4]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
