import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProjectorError } from '../../errors/projector-error.js';
import { batchBodySchema, eventBodySchema } from '../../event/event-schema.js';
import { partitionKey, toProjectorEvent } from '../../event/event.js';
import { payloadHashOf } from '../../hash/index.js';
import { batchAnswerSchema, errorAnswerSchema, eventAnswer, eventAnswerSchema, heldAnswerSchema, partitionBlockedAnswerSchema, skippedAnswerSchema } from '../answers.js';
import { losslessBody, treeAt } from '../json-body.js';
import type { ServerDeps } from '../server-deps.js';

const errors = { 400: errorAnswerSchema, 401: errorAnswerSchema, 409: errorAnswerSchema, 413: errorAnswerSchema, 500: errorAnswerSchema, 503: errorAnswerSchema };

/** Checks `payload_hash` against the envelope exactly as it arrived (lossless), when one is given. */
function checkHash(given: string | null | undefined, envelope: Parameters<typeof payloadHashOf>[0] | undefined): void {
  if (!given) return;
  if (envelope === undefined || payloadHashOf(envelope) !== given) {
    throw new ProjectorError('payload_hash_mismatch', 'payload_hash does not match sha256 of the canonical envelope');
  }
}

/** `POST /events` and `POST /events/batch` (contract.md). */
export function eventRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { config, applier, authenticate } = deps;
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post(
    '/events',
    {
      bodyLimit: config.bodyLimitBytes,
      // onRequest: a request without the token is refused before its body is even read.
      onRequest: authenticate,
      schema: {
        summary: 'Apply one event',
        body: eventBodySchema,
        response: {
          200: z.union([eventAnswerSchema, skippedAnswerSchema]),
          202: heldAnswerSchema,
          ...errors,
          409: z.union([partitionBlockedAnswerSchema, errorAnswerSchema]),
        },
      },
    },
    async (request, reply) => {
      checkHash(request.body.payload_hash, treeAt(losslessBody(request), 'envelope'));
      const outcome = await applier.applyOne(toProjectorEvent(request.body));
      // Queued or blocked: in the log, left to catch-up (contract.md, "Catch-up and poison events").
      if (outcome.status === 'queued' || outcome.status === 'blocked') reply.code(202);
      return eventAnswer(outcome);
    },
  );

  const batchSchema = batchBodySchema(config.maxBatch);
  typed.post(
    '/events/batch',
    {
      bodyLimit: config.batchBodyLimitBytes,
      // onRequest: a request without the token is refused before its body is even read.
      onRequest: authenticate,
      schema: {
        summary: 'Apply a batch of events in one transaction, all or nothing',
        body: batchSchema,
        response: { 200: batchAnswerSchema, ...errors },
      },
    },
    async (request) => {
      const lossless = losslessBody(request);
      const lastSeq = new Map<string, number>();
      const events = request.body.events.map((body, index) => {
        const at = { index, global_seq: body.global_seq };
        try {
          checkHash(body.payload_hash, treeAt(lossless, 'events', index, 'envelope'));
        } catch (err) {
          throw (err as ProjectorError).withDetails(at);
        }
        const event = toProjectorEvent(body);
        const key = partitionKey(event.partition);
        if ((lastSeq.get(key) ?? 0) >= event.globalSeq) {
          throw new ProjectorError('invalid_event', 'events of one partition must come in increasing global_seq', {
            details: { issues: [], ...at },
          });
        }
        lastSeq.set(key, event.globalSeq);
        return event;
      });
      const outcomes = await applier.applyBatch(events);
      return {
        status: 'processed' as const,
        results: outcomes.map((o) => ({ global_seq: o.globalSeq, status: o.status })),
      };
    },
  );
}
