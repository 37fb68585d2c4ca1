import type { EnvelopeBody } from './event-schema.js';

/** A position in the shared event log; its own type so a count or an index is not passed by mistake. */
export type GlobalSeq = number & { readonly __brand: 'GlobalSeq' };
export const globalSeq = (n: number): GlobalSeq => n as GlobalSeq;

/** The unit of order: events of one partition are applied one at a time, in `global_seq` order. */
export interface Partition {
  readonly worldId: string;
  readonly branch: string;
}

export const partitionKey = (p: Partition): string => `${p.worldId}\u0000${p.branch}`;

/** An event that passed the contract's checks, ready to apply. */
export interface ProjectorEvent {
  readonly globalSeq: GlobalSeq;
  readonly eventId: string;
  readonly partition: Partition;
  readonly kind: string;
  readonly envelope: EnvelopeBody;
}

export function toProjectorEvent(body: { global_seq: number; event_id: string; envelope: EnvelopeBody }): ProjectorEvent {
  return {
    globalSeq: globalSeq(body.global_seq),
    eventId: body.event_id,
    // PostgreSQL's uuid type is case-blind; one spelling keeps the in-process partition keys equal too.
    partition: { worldId: body.envelope.world_id.toLowerCase(), branch: body.envelope.branch },
    kind: body.envelope.kind,
    envelope: body.envelope,
  };
}
