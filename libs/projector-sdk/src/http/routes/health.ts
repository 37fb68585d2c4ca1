import type { FastifyInstance } from 'fastify';
import { liveAnswerSchema } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

const schema = {
  summary: 'Liveness: the process answers (no database query)',
  response: { 200: liveAnswerSchema },
};

/**
 * `GET /health`: liveness. It reads only memory, so a lost database or a slow pool never makes an
 * orchestrator restart a process that a restart would not help; readiness is `/ready`.
 */
export function healthRoute(app: FastifyInstance, { lens, catchup }: ServerDeps, isClosing: () => boolean): void {
  const identity = { service: lens.serviceName, projector_name: lens.projectorName, lens: lens.name };
  const started = performance.now();
  app.get('/health', { schema }, async () => ({
    ...identity,
    status: 'healthy' as const,
    uptime_seconds: Math.round(performance.now() - started) / 1000,
    shutting_down: isClosing(),
    catching_up: catchup?.catchingUp ?? false,
    catchup: catchup && { partitions_behind: catchup.partitionsBehind, events_applied: catchup.eventsApplied, last_pass_at: catchup.lastPassAt?.toISOString() ?? null },
  }));
}
