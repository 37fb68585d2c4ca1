import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { computeStateHash } from '../../state/state-hash.js';
import { applyFailedAnswerSchema, badQueryAnswerSchema, stateHashAnswerSchema, unavailableAnswerSchema } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

// What PostgreSQL text cannot hold: NUL, and a surrogate that is not half of a pair (not reachable
// through a percent-decoded query today, checked so the rule is the envelope's). The envelope schema
// refuses the same for events (src/event); a branch that no event can have is a bad query.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const branch = z
  .string()
  .min(1)
  .refine((s) => !s.includes('\u0000') && !LONE_SURROGATE.test(s), 'must not contain NUL or lone surrogates');

const query = z.object({ world_id: z.guid(), branch });

/** `GET /state-hash?world_id=W&branch=B`: the hash and the watermark it belongs to, one snapshot. */
export function stateHashRoute(app: FastifyInstance, { lens, sql }: ServerDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/state-hash',
    {
      schema: {
        summary: "A partition's state hash at its watermark",
        querystring: query,
        response: { 200: stateHashAnswerSchema, 400: badQueryAnswerSchema, 500: applyFailedAnswerSchema, 503: unavailableAnswerSchema },
      },
    },
    async (request) => {
      const partition = { worldId: request.query.world_id.toLowerCase(), branch: request.query.branch };
      const { watermark, stateHash } = await computeStateHash(sql, lens, partition);
      return { world_id: partition.worldId, branch: partition.branch, watermark, state_hash: stateHash };
    },
  );
}
