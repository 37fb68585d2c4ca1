import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { parseConfig } from '../config/config.js';
import type { Lens } from '../lens/lens-types.js';
import { createProjector, type Projector } from '../server/create-projector.js';
import { useTestDatabase, type TestDatabaseRef } from './test-database.js';

export interface TestProjectorRef {
  /** The spec file's own database. */
  readonly db: TestDatabaseRef;
  /** A migrated projector of the lens on that database, not listening (call `app.inject`). */
  readonly projector: Projector;
}

/** A migrated projector of `lens` on the database at `url`, quiet and not listening. */
export async function createTestProjector(lens: Lens, url: string, env: Record<string, string> = {}): Promise<Projector> {
  const projector = await createProjector({
    lens,
    config: parseConfig({ PROJECTOR_DATABASE_URL: url, PROJECTOR_LOG_LEVEL: 'silent', ...env }),
  });
  await projector.migrate();
  return projector;
}

/**
 * A fresh database and a migrated projector of `lens` on it for the calling spec file (or
 * `describe`), closed and dropped after it. Read `projector` inside hooks and tests.
 */
export function useTestProjector(
  lens: Lens,
  options: { prefix?: string; env?: Record<string, string> } = {},
): TestProjectorRef {
  const db = useTestDatabase({ prefix: options.prefix ?? `${lens.name.replaceAll('-', '_')}_test` });
  let projector: Projector | undefined;
  beforeAll(async () => {
    projector = await createTestProjector(lens, db.url, options.env);
  });
  afterAll(async () => {
    await projector?.close();
    projector = undefined;
  });
  return {
    db,
    get projector() {
      if (!projector) throw new Error('useTestProjector(): the projector exists only between its beforeAll and afterAll');
      return projector;
    },
  };
}

/**
 * A new partition of its own and a way to post events to it in order (`global_seq` 1, 2, ...), so
 * tests that share a database never touch each other's rows.
 */
export function partitionSender(projector: Projector, branch = 'main') {
  const worldId = randomUUID();
  let seq = 0;
  const send = async (kind: string, payload: object, occurredAt?: string) => {
    seq++;
    const envelope = { world_id: worldId, branch, kind, payload, ...(occurredAt && { occurred_at: occurredAt }) };
    const res = await projector.app.inject({ method: 'POST', url: '/events', payload: { global_seq: seq, event_id: `e${seq}`, envelope } });
    return { status: res.statusCode, body: res.json() };
  };
  return { worldId, branch, send };
}
