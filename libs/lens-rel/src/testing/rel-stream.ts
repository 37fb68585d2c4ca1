import { parseJsonBody, payloadHashOf } from '@projectors/projector-sdk';
import { mulberry32, uuidLike, type Rng } from './prng.js';
import { body, LINK_TYPES, TAGS, title } from './rel-text.js';
import { randomRfc3339, type Micros } from './rel-time.js';

export const REL_KINDS = [
  'note.created',
  'note.updated',
  'note.deleted',
  'tag.added',
  'tag.removed',
  'link.added',
  'link.removed',
] as const;
export type RelKind = (typeof REL_KINDS)[number];

/** The envelope as the gateway writes it to `event_core.event_log`. */
export interface RelEnvelope {
  world_id: string;
  branch: string;
  kind: RelKind;
  payload: Record<string, unknown>;
  occurred_at: string;
  event_id: string;
}

/** One event as the publisher posts it (contract.md, "POST /events"), with a correct payload_hash. */
export interface RelEvent {
  global_seq: number;
  event_id: string;
  envelope: RelEnvelope;
  payload_hash: string;
}

export interface RelStreamOptions {
  seed: number;
  events: number;
  worlds: number;
  /** Branches per world: `main`, then `draft`, `review`, … */
  branches: number;
  /** The first `global_seq`; default 1. */
  startSeq?: number;
}

const KIND_MIX: readonly (readonly [RelKind, number])[] = [
  ['note.created', 30],
  ['note.updated', 20],
  ['note.deleted', 5],
  ['tag.added', 20],
  ['tag.removed', 5],
  ['link.added', 15],
  ['link.removed', 5],
];

const BRANCH_NAMES = ['main', 'draft', 'review', 'feature/outline', 'experiment'];
const SOURCES = ['web', 'mobile', 'import'];
const START: Micros = Date.UTC(2026, 2, 1, 8, 0, 0) * 1000;
const THREE_DAYS: Micros = 3 * 24 * 3600 * 1_000_000;

/** What the generator believes a partition holds, to pick realistic references (not the oracle). */
interface PartitionState {
  readonly worldId: string;
  readonly branch: string;
  live: string[];
  gone: string[];
  tags: [note: string, tag: string][];
  links: [src: string, dst: string, type: string][];
}

/**
 * A deterministic, realistic stream of relational events over `worlds × branches` partitions: the
 * same options give byte-identical events. `global_seq` rises with gaps (other projectors' events
 * share the log), `occurred_at` rises, most references name notes of that partition and a few do
 * not, times are sometimes in the payload, in various offsets and precisions.
 */
export function generateRelStream(options: RelStreamOptions): RelEvent[] {
  const { seed, events, worlds, branches } = options;
  const checks = [['events', events, 0], ['worlds', worlds, 1], ['branches', branches, 1], ['startSeq', options.startSeq ?? 1, 1]] as const;
  for (const [name, value, min] of checks) {
    if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`generateRelStream: ${name} must be an integer >= ${min}`);
  }
  const rng = mulberry32(seed);
  const partitions: { state: PartitionState; weight: number }[] = [];
  for (let w = 0; w < worlds; w++) {
    const worldId = uuidLike(rng);
    for (let b = 0; b < branches; b++) {
      const branch = BRANCH_NAMES[b] ?? `branch-${b}`;
      const state: PartitionState = { worldId, branch, live: [], gone: [], tags: [], links: [] };
      partitions.push({ state, weight: (1 + 1 / (w + 1)) * (b === 0 ? 3 : 1) });
    }
  }
  const weighted = partitions.map((p) => [p.state, p.weight] as const);

  const out: RelEvent[] = [];
  const eventIds = new Set<string>();
  let seq = options.startSeq ?? 1;
  let clock = START + rng.int(0, 1_000_000);
  for (let i = 0; i < events; i++) {
    if (i > 0) seq += 1 + (rng.chance(0.25) ? rng.int(1, 20) : 0);
    clock += rng.int(1_001_000, 120_000_000);
    const state = rng.weighted(weighted);
    let kind = rng.weighted(KIND_MIX);
    if (state.live.length === 0 && kind !== 'note.created' && rng.chance(0.8)) kind = 'note.created';
    const payload = makePayload(rng, state, kind, clock);
    let eventId = uuidLike(rng);
    while (eventIds.has(eventId)) eventId = uuidLike(rng);
    eventIds.add(eventId);
    const envelope: RelEnvelope = {
      world_id: state.worldId,
      branch: state.branch,
      kind,
      payload,
      occurred_at: randomRfc3339(rng, clock),
      event_id: eventId,
    };
    const payloadHash = payloadHashOf(parseJsonBody(JSON.stringify(envelope)).lossless);
    out.push({ global_seq: seq, event_id: eventId, envelope, payload_hash: payloadHash });
  }
  return out;
}

/** A note of the partition mostly; now and then one deleted before, or one never created. */
function noteRef(rng: Rng, state: PartitionState): string {
  if (state.live.length > 0 && rng.chance(0.93)) return rng.pick(state.live);
  if (state.gone.length > 0 && rng.chance(0.5)) return rng.pick(state.gone);
  return uuidLike(rng);
}

/** A payload time: given (45%, some hours or days before the event), null (5%), or absent. */
function setTime(rng: Rng, payload: Record<string, unknown>, field: string, at: Micros): void {
  const r = rng.next();
  if (r < 0.45) payload[field] = randomRfc3339(rng, at - rng.int(0, THREE_DAYS));
  else if (r < 0.5) payload[field] = null;
}

function makePayload(rng: Rng, state: PartitionState, kind: RelKind, at: Micros): Record<string, unknown> {
  switch (kind) {
    case 'note.created': {
      let id: string;
      if (state.live.length > 0 && rng.chance(0.03)) id = rng.pick(state.live); // a second create: changes nothing
      else if (state.gone.length > 0 && rng.chance(0.03)) id = rng.pick(state.gone); // created anew after a delete
      else id = uuidLike(rng);
      const payload: Record<string, unknown> = { id, title: title(rng) };
      const r = rng.next();
      if (r < 0.75) payload['body'] = body(rng);
      else if (r < 0.85) payload['body'] = null;
      setTime(rng, payload, 'created_at', at);
      if (rng.chance(0.05)) payload['source'] = rng.pick(SOURCES); // a field the lens does not know
      if (!state.live.includes(id)) state.live.push(id);
      state.gone = state.gone.filter((g) => g !== id);
      return payload;
    }
    case 'note.updated': {
      const payload: Record<string, unknown> = { id: noteRef(rng, state) };
      const variant = rng.weighted([['title', 35], ['body', 35], ['both', 20], ['none', 5], ['clear', 5]] as const);
      if (variant === 'title' || variant === 'both') payload['title'] = title(rng);
      if (variant === 'body' || variant === 'both') payload['body'] = body(rng);
      if (variant === 'clear') payload['body'] = null;
      setTime(rng, payload, 'updated_at', at);
      return payload;
    }
    case 'note.deleted': {
      const id = noteRef(rng, state);
      state.live = state.live.filter((n) => n !== id);
      if (!state.gone.includes(id)) state.gone.push(id);
      state.tags = state.tags.filter(([n]) => n !== id);
      state.links = state.links.filter(([s, d]) => s !== id && d !== id);
      return { id };
    }
    case 'tag.added': {
      const again = state.tags.length > 0 && rng.chance(0.08);
      const [noteId, tag] = again ? rng.pick(state.tags) : [noteRef(rng, state), rng.pick(TAGS)];
      const payload: Record<string, unknown> = { note_id: noteId, tag };
      setTime(rng, payload, 'applied_at', at);
      if (!state.tags.some(([n, t]) => n === noteId && t === tag)) state.tags.push([noteId, tag]);
      return payload;
    }
    case 'tag.removed': {
      const known = state.tags.length > 0 && rng.chance(0.85);
      const [noteId, tag] = known ? rng.pick(state.tags) : [noteRef(rng, state), rng.pick(TAGS)];
      state.tags = state.tags.filter(([n, t]) => n !== noteId || t !== tag);
      return { note_id: noteId, tag };
    }
    case 'link.added': {
      let link: [string, string, string];
      if (state.links.length > 0 && rng.chance(0.08)) {
        link = rng.pick(state.links);
      } else {
        const src = noteRef(rng, state);
        const dst = rng.chance(0.05) ? src : noteRef(rng, state);
        link = [src, dst, rng.chance(0.5) ? 'related' : rng.pick(LINK_TYPES)];
      }
      const [src, dst, type] = link;
      const payload: Record<string, unknown> = { src_id: src, dst_id: dst };
      // `related` is the default: mostly left out, sometimes spelled out.
      if (type !== 'related' || rng.chance(0.2)) payload['link_type'] = type;
      setTime(rng, payload, 'created_at', at);
      if (!state.links.some(([s, d, t]) => s === src && d === dst && t === type)) state.links.push(link);
      return payload;
    }
    case 'link.removed': {
      const known = state.links.length > 0 && rng.chance(0.85);
      const [src, dst, type] = known ? rng.pick(state.links) : [noteRef(rng, state), noteRef(rng, state), rng.pick(LINK_TYPES)];
      state.links = state.links.filter(([s, d, t]) => s !== src || d !== dst || t !== type);
      const payload: Record<string, unknown> = { src_id: src, dst_id: dst };
      if (type !== 'related' || rng.chance(0.5)) payload['link_type'] = type;
      return payload;
    }
  }
}
