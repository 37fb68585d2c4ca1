import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualifiedTable } from '../lens/lens-in.js';
import type { Lens } from '../lens/lens-types.js';
import type { Projector } from '../server/create-projector.js';
import { createTestProjector } from './test-projector.js';
import { logEvents, type StreamEvent } from './log-events.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface EquivalenceOptions {
  /**
   * A stream of the lens's events for a seed, in `global_seq` order, with `global_seq` starting at
   * `startSeq`: many partitions, every kind, same-key chains, deletes then recreates. Each seed must
   * use partitions of its own.
   */
  readonly stream: (seed: number, startSeq: number) => readonly StreamEvent[];
  /** Streams tried (fast-check runs); default 6. */
  readonly runs?: number;
}

/**
 * The proof every lens runs that its set-based kinds (`setStatement()`) equal one-by-one
 * application: random streams go into one database in batches of random sizes, with batches sent
 * again (duplicates) and events left out for gap filling from the log, and into another one event
 * per request and transaction. Every partition must then hold exactly the same rows, table by
 * table, and the same state hash.
 */
export function describeSetBasedEquivalence(lens: Lens, options: EquivalenceOptions): void {
  describe(`${lens.serviceName}: set-based application equals one-by-one`, () => {
    let setBased: { db: TestDatabase; projector: Projector };
    let oneByOne: { db: TestDatabase; projector: Projector };
    let nextSeq = 1;

    beforeAll(async () => {
      const open = async (prefix: string, env: Record<string, string>) => {
        const db = await createTestDatabase({ prefix });
        await db.sql.unsafe(`ALTER DATABASE ${db.name} SET synchronous_commit = off`);
        return { db, projector: await createTestProjector(lens, db.url, env) };
      };
      setBased = await open(`${lens.name.replaceAll('-', '_')}_set`, { PROJECTOR_MAX_BATCH: '1000' });
      oneByOne = await open(`${lens.name.replaceAll('-', '_')}_one`, { PROJECTOR_GROUP_COMMIT_MS: '0' });
    });
    afterAll(async () => {
      for (const side of [setBased, oneByOne]) {
        await side?.projector.close();
        await side?.db.drop();
      }
    });

    it('gives the same rows and state hashes for random streams, batch splits, redeliveries and gaps', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }),
          fc.array(fc.nat(), { maxLength: 40 }),
          async (seed, sizes, leftOut) => {
            // event_id is unique in the log: a seed tried twice (fast-check does when shrinking) gets ids of its own.
            const run = nextSeq;
            const events = options.stream(seed, nextSeq).map((e) => ({ ...e, event_id: `${run}-${e.event_id}` }));
            nextSeq = Math.max(nextSeq, ...events.map((e) => e.global_seq)) + 1;
            await logEvents(setBased.db.sql, events);
            // Left out of the batches: gap filling applies them from the log, set-based too. The last
            // event of each partition is always delivered, so that every left-out one has a later
            // delivery to be filled before.
            const last = new Map(events.map((e) => [`${e.envelope.world_id}/${e.envelope.branch}`, e.global_seq]));
            const skipped = new Set(leftOut.map((n) => events[n % Math.max(1, events.length)]?.global_seq));
            const delivered = events.filter(
              (e) => !skipped.has(e.global_seq) || last.get(`${e.envelope.world_id}/${e.envelope.branch}`) === e.global_seq,
            );
            for (let i = 0, k = 0; i < delivered.length; k++) {
              const batch = delivered.slice(i, i + sizes[k % sizes.length]!);
              await expectOk(setBased.projector, '/events/batch', { events: batch });
              if (k % 3 === 1) await expectOk(setBased.projector, '/events/batch', { events: batch }); // all duplicates
              i += batch.length;
            }
            for (const event of events) await expectOk(oneByOne.projector, '/events', event);

            for (const { world_id, branch } of partitionsOf(events)) {
              expect(await partitionRows(setBased.db, lens, world_id, branch)).toEqual(await partitionRows(oneByOne.db, lens, world_id, branch));
              const [a, b] = await Promise.all([setBased, oneByOne].map(({ projector }) => stateHash(projector, world_id, branch)));
              expect(a).toEqual(b);
            }
          },
        ),
        // No shrinking: each run is a few hundred requests, and the first failure says enough.
        { numRuns: options.runs ?? 6, endOnFailure: true },
      );
    }, 300_000);
  });
}

async function expectOk(projector: Projector, url: string, payload: object): Promise<void> {
  const res = await projector.app.inject({ method: 'POST', url, payload });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
}

function partitionsOf(events: readonly StreamEvent[]): { world_id: string; branch: string }[] {
  const seen = new Map(events.map((e) => [`${e.envelope.world_id}/${e.envelope.branch}`, { world_id: e.envelope.world_id, branch: e.envelope.branch }]));
  return [...seen.values()];
}

/** Every column of every snapshot table, not only those the state hash covers. */
async function partitionRows(db: TestDatabase, lens: Lens, worldId: string, branch: string): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const [name, { table }] of Object.entries(lens.snapshot)) {
    // Ordered by the whole row's text: a total order, whatever the table's key.
    tables[name] = await db.sql.unsafe(
      `SELECT to_jsonb(t) AS row FROM ${qualifiedTable(lens, table)} t WHERE world_id = $1 AND branch = $2 ORDER BY to_jsonb(t)::text COLLATE "C"`,
      [worldId, branch],
    );
  }
  return tables;
}

async function stateHash(projector: Projector, worldId: string, branch: string): Promise<unknown> {
  const res = await projector.app.inject({ method: 'GET', url: '/state-hash', query: { world_id: worldId, branch } });
  return res.json();
}
