import type { EventHandler, Lens } from './lens-types.js';

/**
 * The lens's handler of `kind`, or undefined. Own properties only: `kind` comes from a client, and
 * `constructor`, `__proto__` or `toString` must not find what every object inherits.
 */
export function handlerOf(lens: Lens, kind: string): EventHandler | undefined {
  return Object.hasOwn(lens.handlers, kind) ? lens.handlers[kind] : undefined;
}
