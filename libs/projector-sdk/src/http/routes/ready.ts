import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connect.js';
import { migrationScopes } from '../../db/migrate.js';
import type { Lens } from '../../lens/lens-types.js';
import { notReadyAnswerSchema, readyAnswerSchema, type NotReadyReason } from '../answers.js';
import type { ServerDeps } from '../server-deps.js';

const schema = {
  summary: 'Readiness: database reachable, migrations applied, not shutting down, no background loop stalled',
  response: { 200: readyAnswerSchema, 503: notReadyAnswerSchema },
};

const RETRY_AFTER_SECONDS = 5;
/** PostgreSQL's undefined_table: event_core (or part of it) was never migrated. */
const UNDEFINED_TABLE = '42P01';

type Counts = { watermarks: number; blocked: number };

/** One round trip: the counts the answer shows, and the migrations applied of this lens's scopes. */
async function readCounts(sql: Sql, lens: Lens): Promise<{ counts: Counts; pending: string[] }> {
  const scopes = migrationScopes(lens);
  const [row] = await sql<{ n: number; blocked: number; applied: string[] }[]>`
    SELECT (SELECT count(*)::int FROM event_core.projector_watermarks WHERE projector_name = ${lens.projectorName}) AS n,
           (SELECT count(*)::int FROM event_core.projector_partition_blocks WHERE projector_name = ${lens.projectorName}) AS blocked,
           (SELECT coalesce(array_agg(scope || '/' || id), '{}') FROM event_core.schema_migrations
             WHERE scope IN ${sql(scopes.map(([scope]) => scope))}) AS applied`;
  const applied = new Set(row!.applied);
  const pending = scopes.flatMap(([scope, migrations]) => migrations.map((m) => `${scope}/${m.id}`)).filter((id) => !applied.has(id));
  return { counts: { watermarks: row!.n, blocked: row!.blocked }, pending };
}

const allMigrations = (lens: Lens) => migrationScopes(lens).flatMap(([scope, migrations]) => migrations.map((m) => `${scope}/${m.id}`));

/**
 * `GET /ready`: readiness. 200 when this process can take events now; 503 with every reason it
 * cannot. Unlike `/health` it queries the database (one statement), so probe it no more often than
 * every few seconds.
 */
export function readyRoute(app: FastifyInstance, { lens, sql, config, progress }: ServerDeps, isClosing: () => boolean): void {
  const identity = { service: lens.serviceName, projector_name: lens.projectorName, lens: lens.name };
  app.get('/ready', { schema }, async (request, reply) => {
    const reasons: NotReadyReason[] = [];
    if (isClosing()) reasons.push({ check: 'shutting_down', message: 'the process is shutting down' });
    for (const { task, secondsSinceProgress } of progress?.stalled(config.stallGraceMs) ?? []) {
      reasons.push({ check: 'stalled', task, seconds_since_progress: secondsSinceProgress, message: `${task} has made no progress for ${secondsSinceProgress} s` });
    }
    let counts: Counts | undefined;
    try {
      const read = await readCounts(sql, lens);
      counts = read.counts;
      if (read.pending.length) reasons.push({ check: 'migrations', message: `${read.pending.length} migrations not applied`, pending: read.pending });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if ((err as { code?: unknown }).code === UNDEFINED_TABLE) reasons.push({ check: 'migrations', message, pending: allMigrations(lens) });
      else reasons.push({ check: 'database', message });
    }
    if (reasons.length > 0 || !counts) {
      request.log.warn({ reasons }, 'not ready');
      return reply.code(503).header('Retry-After', String(RETRY_AFTER_SECONDS)).send({ ...identity, status: 'not_ready', reasons });
    }
    // Blocked partitions degrade, but do not fail, the projector: the others flow (issue 11).
    return { ...identity, status: counts.blocked > 0 ? 'degraded' : 'ready', watermark_count: counts.watermarks, blocked_partitions: counts.blocked };
  });
}
