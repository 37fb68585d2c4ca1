/**
 * `@projectors/lens-rel/testing`: a realistic, deterministic stream of relational events, the way
 * to put it in the event log, and an independent oracle of the rows the lens must then hold.
 * For tests only; imports neither vitest nor anything dev-only, so it builds with the lens.
 */
export { generateRelStream, REL_KINDS, type RelEnvelope, type RelEvent, type RelKind, type RelStreamOptions } from './rel-stream.js';
export { logRelEvents } from './log-rel-events.js';
export {
  byBytes,
  expectedRelModel,
  utcMicros,
  type ModelEvent,
  type RelLinkRow,
  type RelNoteRow,
  type RelPartitionRows,
  type RelTagRow,
} from './expected-rel-model.js';
export { readRelPartition } from './read-rel-partition.js';
export { mulberry32, type Rng } from './prng.js';
