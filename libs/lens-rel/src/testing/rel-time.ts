import type { Rng } from './prng.js';

/** Microseconds since the epoch: below 2^53 for any date this century, so a plain number is exact. */
export type Micros = number;

export const MICROS_PER_SECOND = 1_000_000;

/** Offsets a client may write: `Z`, `+00:00` and some real ones, in minutes east of UTC. */
const OFFSETS: readonly (number | 'Z')[] = ['Z', 'Z', 'Z', 0, 60, 120, -300, 330, 540, -480, 345];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The instant as RFC 3339 text in the given offset, with 0, 3 or 6 fraction digits (cut, not
 * rounded: the text is the time, the instant only where it came from).
 */
export function formatRfc3339(at: Micros, offset: number | 'Z', digits: 0 | 3 | 6): string {
  const minutes = offset === 'Z' ? 0 : offset;
  const local = at + minutes * 60 * MICROS_PER_SECOND;
  const seconds = Math.floor(local / MICROS_PER_SECOND);
  const micros = local - seconds * MICROS_PER_SECOND;
  const d = new Date(seconds * 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const fraction = digits === 0 ? '' : `.${pad(micros, 6).slice(0, digits)}`;
  const zone = offset === 'Z' ? 'Z' : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date}T${time}${fraction}${zone}`;
}

/** The instant written the way some client might: a random offset and precision. */
export function randomRfc3339(rng: Rng, at: Micros): string {
  return formatRfc3339(at, rng.pick(OFFSETS), rng.pick([0, 3, 6, 6] as const));
}
