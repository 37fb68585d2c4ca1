import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { applyFailedAnswerSchema, metricsJsonAnswerSchema, unavailableAnswerSchema } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

const schema = {
  summary: 'Prometheus metrics (JSON view with Accept: application/json)',
  response: {
    200: {
      description: 'Prometheus text format 0.0.4; with Accept: application/json (and not text/plain), the watermarks as JSON.',
      content: {
        'text/plain': { schema: z.string() },
        'application/json': { schema: metricsJsonAnswerSchema },
      },
    },
    500: applyFailedAnswerSchema,
    503: unavailableAnswerSchema,
  },
};

/** `GET /metrics`: Prometheus text, or the contract's JSON view on `Accept: application/json`. */
export function metricsRoute(app: FastifyInstance, { lens, sql, metrics }: ServerDeps): void {
  app.get('/metrics', { schema }, async (request, reply) => {
    const accept = request.headers.accept ?? '';
    if (accept.includes('application/json') && !accept.includes('text/plain')) {
      const rows = await sql<{ world_id: string; branch: string; last_processed_seq: string; updated_at: Date }[]>`
        SELECT world_id, branch, last_processed_seq::text, updated_at FROM event_core.projector_watermarks
        WHERE projector_name = ${lens.projectorName} ORDER BY updated_at DESC, world_id, branch`;
      return {
        projector_name: lens.projectorName,
        lens: lens.name,
        watermark_count: rows.length,
        watermarks: rows.map((r) => ({
          world_id: r.world_id,
          branch: r.branch,
          last_processed_seq: Number(r.last_processed_seq),
          updated_at: r.updated_at.toISOString(),
        })),
        last_activity: rows[0]?.updated_at.toISOString() ?? null,
      };
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
