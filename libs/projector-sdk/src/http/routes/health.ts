import type { FastifyInstance } from 'fastify';
import { healthyAnswerSchema, unhealthyAnswerSchema } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

const schema = {
  summary: 'Liveness and database reachability',
  response: { 200: healthyAnswerSchema, 503: unhealthyAnswerSchema },
};

/** `GET /health`: pings the database by counting this projector's watermarks. */
export function healthRoute(app: FastifyInstance, { lens, sql, catchup }: ServerDeps): void {
  const identity = { service: lens.serviceName, projector_name: lens.projectorName, lens: lens.name };
  app.get('/health', { schema }, async (request, reply) => {
    try {
      const [row] = await sql<{ n: number; blocked: number }[]>`
        SELECT (SELECT count(*)::int FROM event_core.projector_watermarks WHERE projector_name = ${lens.projectorName}) AS n,
               (SELECT count(*)::int FROM event_core.projector_partition_blocks WHERE projector_name = ${lens.projectorName}) AS blocked`;
      // Blocked partitions degrade, but do not fail, the projector: the others flow (issue 11).
      return { ...identity, status: row!.blocked > 0 ? 'degraded' : 'healthy', watermark_count: row!.n, ...catchupHealth(row!.blocked, catchup) };
    } catch (err) {
      request.log.warn({ err }, 'health check: database unreachable');
      return reply.code(503).send({ ...identity, status: 'unhealthy', error: err instanceof Error ? err.message : String(err) });
    }
  });
}

function catchupHealth(blocked: number, catchup: ServerDeps['catchup']) {
  return {
    blocked_partitions: blocked,
    catching_up: catchup?.catchingUp ?? false,
    catchup: catchup && { partitions_behind: catchup.partitionsBehind, events_applied: catchup.eventsApplied, last_pass_at: catchup.lastPassAt?.toISOString() ?? null },
  };
}
