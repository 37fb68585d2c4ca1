import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProjectorError } from '../../errors/projector-error.js';
import { batchBodySchema, eventBodySchema } from '../../event/event-schema.js';
import { partitionKey, toProjectorEvent } from '../../event/event.js';
import { payloadHashOf } from '../../hash/index.js';
import { badEventAnswerSchema, batchAnswerSchema, errorAnswers, eventAnswer, eventAnswerSchema, heldAnswerSchema, skippedAnswerSchema, unavailableAnswerSchema } from '../answers.js';
import { losslessBody, treeAt } from '../json-body.js';
import type { ServerDeps } from '../server-deps.js';

/** The failures of both write routes, as this projector is configured (401 with a token, 409 under reject). */
function writeErrors({ config, authenticate }: ServerDeps) {
  return {
    400: badEventAnswerSchema,
    ...(authenticate && { 401: errorAnswers.unauthorized }),
    ...(config.gapPolicy === 'reject' && { 409: errorAnswers.out_of_order }),
    413: errorAnswers.payload_too_large,
    415: errorAnswers.unsupported_media_type,
    500: errorAnswers.apply_failed,
    503: unavailableAnswerSchema,
  };
}

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
  const errors = writeErrors(deps);
  const security = authenticate ? { security: [{ bearer: [] }] } : {};

  typed.post(
    '/events',
    {
      bodyLimit: config.bodyLimitBytes,
      // onRequest: a request without the token is refused before its body is even read.
      onRequest: authenticate,
      schema: {
        summary: 'Apply one event',
        description: 'The envelope is checked against the lens schema of its kind; contract.md, "POST /events".',
        ...security,
        body: eventBodySchema,
        response: {
          200: z
            .union([eventAnswerSchema, skippedAnswerSchema])
            .meta({ description: 'processed, ignored, duplicate, or skipped by the poison policy: in every case move on to the next event.' }),
          202: heldAnswerSchema,
          ...errors,
          // Blocked at a poison event, or behind a gap catch-up cannot fill (out_of_order, catching_up): retry later.
          409: z
            .union([errorAnswers.partition_blocked, errorAnswers.out_of_order])
            .meta({ description: 'partition_blocked (not in the log, its partition blocked) or out_of_order (not in the log, behind a gap): nothing written; retry later.' }),
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
        description: `1 to ${config.maxBatch} events; a failure names the event by index; contract.md, "POST /events/batch".`,
        ...security,
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
