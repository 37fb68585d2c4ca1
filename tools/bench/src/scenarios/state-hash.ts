import { runNodeChild } from '../node-child.js';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Sql } from '@projectors/projector-sdk';
import type { ScenarioResult } from './scenario-result.js';

/** What `hash-partition.js` prints. */
export interface HashRun {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly stateHash: string;
  readonly watermark: number;
}

/**
 * Fills `lens_rel.note` with `rows` notes of one new partition (generate_series: bodies of 12 to
 * 240 characters, a third of them updated), then hashes it in a process of its own, so the peak
 * RSS is the hash's alone.
 */
export async function stateHashScenario(root: string, sql: Sql, databaseUrl: string, rows: number): Promise<ScenarioResult> {
  const worldId = randomUUID();
  const branch = 'main';
  const fillStarted = performance.now();
  await sql`
    INSERT INTO lens_rel.note (world_id, branch, note_id, title, body, created_at, updated_at)
    SELECT ${worldId}::uuid, ${branch}, 'note-' || lpad(i::text, 8, '0'), 'Note ' || i || ' of the bench',
           repeat('lorem ipsum ', 1 + i % 20),
           timestamptz '2026-03-01 08:00:00+00' + i * interval '1 second',
           CASE WHEN i % 3 = 0 THEN timestamptz '2026-03-02 08:00:00.123456+00' + i * interval '1 second' END
    FROM generate_series(1, ${rows}::int) AS i`;
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  await sql`ANALYZE lens_rel.note`;

  const run = await hashInChild(root, databaseUrl, worldId, branch);
  return {
    id: 'state-hash',
    label: `state hash, ${rows.toLocaleString('en-US')} rows`,
    unit: 'rows',
    count: rows,
    seconds: run.seconds,
    rate: run.seconds > 0 ? rows / run.seconds : 0,
    errors: 0,
    peakRssMb: run.maxRssMb,
    detail: { worldId, branch, fillSeconds: Math.round(fillSeconds * 100) / 100, stateHash: run.stateHash, process: 'node tools/bench/dist/hash-partition.js' },
  };
}

async function hashInChild(root: string, databaseUrl: string, worldId: string, branch: string): Promise<HashRun> {
  const script = path.join(root, 'tools/bench/dist/hash-partition.js');
  const { code, stdout, stderr } = await runNodeChild(root, [script, databaseUrl, worldId, branch]);
  if (code !== 0) throw new Error(`hash-partition failed (exit ${code}): ${stderr.trim()}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as HashRun;
}
