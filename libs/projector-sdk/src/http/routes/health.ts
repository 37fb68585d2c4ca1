import type { FastifyInstance } from 'fastify';
import { healthyAnswerSchema, unhealthyAnswerSchema } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

const schema = {
  summary: 'Liveness and database reachability',
  response: { 200: healthyAnswerSchema, 503: unhealthyAnswerSchema },
};

/** `GET /health`: pings the database by counting this projector's watermarks. */
export function healthRoute(app: FastifyInstance, { lens, sql }: ServerDeps): void {
  const identity = { service: lens.serviceName, projector_name: lens.projectorName, lens: lens.name };
  app.get('/health', { schema }, async (request, reply) => {
    try {
      const [row] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM event_core.projector_watermarks WHERE projector_name = ${lens.projectorName}`;
      return { ...identity, status: 'healthy', watermark_count: row!.n };
    } catch (err) {
      request.log.warn({ err }, 'health check: database unreachable');
      return reply.code(503).send({ ...identity, status: 'unhealthy', error: err instanceof Error ? err.message : String(err) });
    }
  });
}
