/**
 * Injected randomness and time. The core never reads a global clock or Math.random:
 * the Durable Object passes real ones, tests and the simulator pass seeded virtual ones.
 */

/** Returns a float in [0, 1). */
export type Rng = () => number;

/** Returns the current time in milliseconds. */
export type Clock = () => number;

/** A small, fast, seedable PRNG (mulberry32). Same seed, same sequence. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Up to `k` distinct elements of `items`, uniformly chosen (partial Fisher-Yates on a copy). */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const pool = items.slice();
  const take = Math.min(k, pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + randomInt(rng, pool.length - i);
    const tmp = pool[i] as T;
    pool[i] = pool[j] as T;
    pool[j] = tmp;
  }
  pool.length = take;
  return pool;
}
