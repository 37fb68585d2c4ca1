import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { identifier } from '../../event/text-rules.js';
import { computeStateHash } from '../../state/state-hash.js';
import { applyFailedAnswerSchema, badQueryAnswerSchema, stateHashAnswerSchema, unavailableAnswerSchema } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

// A branch no event can have (NUL, a lone surrogate, over 256 bytes: the envelope's own rule) is a bad query.
const query = z.object({ world_id: z.guid(), branch: identifier() });

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
