import { hash } from 'node:crypto';
import { z } from 'zod';
import { envelopeSchema, eventBodySchema } from '../event/event-schema.js';
import { parseJsonBody, payloadHashOf } from '../hash/index.js';
import type { Lens } from '../lens/lens-types.js';
import { exampleValue, type JsonSchema } from './openapi-example.js';

/** Converts a zod schema the way the routes' schemas are converted (fastify-type-provider-zod). */
export type ToOpenApiSchema = (schema: z.ZodType) => JsonSchema;

/** An event as the documentation shows it: what a publisher would post. */
interface ExampleEvent {
  global_seq: number;
  event_id: string;
  envelope: { world_id: string; branch: string; kind: string; occurred_at: string; payload: unknown };
  payload_hash: string;
}

const OCCURRED_AT = '2026-11-01T10:00:00+00:00';

/** A UUID-shaped id derived from `seed`, so the document is the same on every start. */
function stableUuid(seed: string): string {
  const hex = hash('sha256', seed, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The event body with `kind` fixed and `payload` checked by that kind's lens schema. */
const kindEventSchema = (kind: string, payload: z.ZodType) =>
  eventBodySchema
    // A new object from the envelope's shape: zod refuses to extend a schema that has refinements
    // (the storable-text check), and a document needs only the shape.
    .extend({ envelope: z.looseObject({ ...envelopeSchema.shape, kind: z.literal(kind), payload }) })
    .meta({ title: kind, description: `An event of kind ${kind}: its payload is checked by the lens's schema for ${kind}.` });

/**
 * The body of `POST /events` for this lens: one schema per handled kind (`envelope.kind` tells
 * which), and one for every other kind, which is answered `ignored`.
 */
export function lensEventSchema(lens: Lens, toOpenApi: ToOpenApiSchema): JsonSchema {
  const kinds = Object.keys(lens.handlers);
  const handled = kinds.map((kind) => toOpenApi(kindEventSchema(kind, lens.handlers[kind]!.payload)));
  const other = toOpenApi(
    eventBodySchema.extend({}).meta({
      title: 'any other kind',
      description: `A kind the ${lens.name} lens has no handler for: the answer is ignored and only the watermark moves.`,
    }),
  );
  const envelope = other.properties!['envelope']!;
  envelope.properties!['kind'] = { ...envelope.properties!['kind'], not: { enum: kinds } };
  return {
    description: `One event. envelope.kind selects the payload schema: ${kinds.join(', ')}, or any other kind (ignored).`,
    oneOf: [...handled, other],
  };
}

function exampleEvent(lens: Lens, kind: string, payload: unknown, at: { worldId: string; seq: number }): ExampleEvent {
  const envelope = { world_id: at.worldId, branch: 'main', kind, occurred_at: OCCURRED_AT, payload };
  // Hashed from the text the document will show, exactly as the projector will hash the posted body.
  const payloadHash = payloadHashOf(parseJsonBody(JSON.stringify(envelope)).lossless);
  return { global_seq: at.seq, event_id: stableUuid(`${lens.name}/${kind}/${at.seq}/event`), envelope, payload_hash: payloadHash };
}

// A lens without handlers (an extension point) still gets an example: answered ignored, not
// Swagger's made-up one with a hash that cannot match and global_seq 2^53-1.
const UNHANDLED_KIND = 'example.unhandled';

/**
 * A valid payload per handled kind: made from the lens's schema, and kept only if that schema
 * accepts it, so no example in the document is refused. With none, one kind the lens ignores.
 */
export function examplePayloads(lens: Lens, toOpenApi: ToOpenApiSchema): Map<string, unknown> {
  const payloads = new Map<string, unknown>();
  for (const [kind, handler] of Object.entries(lens.handlers)) {
    const payload = exampleValue(toOpenApi(handler.payload));
    if (handler.payload.safeParse(payload).success) payloads.set(kind, payload);
  }
  if (payloads.size === 0) payloads.set(UNHANDLED_KIND, {});
  return payloads;
}

const answered = (lens: Lens, kind: string) =>
  lens.handlers[kind] ? 'answered processed the first time and duplicate after' : `answered ignored: the ${lens.name} lens has no handler yet`;

/** The examples of `POST /events`: one per kind, each in a partition of its own, at global_seq 1. */
export function singleEventExamples(lens: Lens, payloads: Map<string, unknown>) {
  return Object.fromEntries(
    [...payloads].map(([kind, payload]) => [
      kind,
      {
        summary: `${kind}, ${answered(lens, kind)}`,
        value: exampleEvent(lens, kind, payload, { worldId: stableUuid(`${lens.name}/${kind}/world`), seq: 1 }),
      },
    ]),
  );
}

/** The example of `POST /events/batch`: every kind, in one partition, global_seq 1, 2, ... */
export function batchExamples(lens: Lens, payloads: Map<string, unknown>) {
  const worldId = stableUuid(`${lens.name}/batch/world`);
  const events = [...payloads].map(([kind, payload], i) => exampleEvent(lens, kind, payload, { worldId, seq: i + 1 }));
  return { every_kind: { summary: 'One event of every kind, in one partition, applied in one transaction', value: { events } } };
}
