import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Projector } from '../server/create-projector.js';
import { catchUp } from '../testing/fixtures/catchup.fixture.js';
import { logEvents, makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { partitionRows, testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';
import { runPartitionsCli } from './partitions-cli.js';

const db = useTestDatabase({ prefix: 'sdk_partitions_cli' });
let projector: Projector;
let worldId: string;

beforeAll(async () => {
  projector = await testProjector(db.url);
  worldId = newWorld();
  await logEvents(db.sql, [
    makeEvent(1, 'item.set', { id: 'a', value: 'v1' }, { worldId }),
    makeEvent(2, 'item.set', { id: 'a', value: 42 }, { worldId }),
    makeEvent(3, 'item.set', { id: 'a', value: 'v3' }, { worldId }),
  ]);
  await catchUp(projector);
});
afterAll(() => projector.close());
afterEach(() => vi.restoreAllMocks());

/** Runs the command as `node dist/partitions.js ...` would, capturing what it prints. */
async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  const code = await runPartitionsCli(memoLens, ['--', ...argv], { PROJECTOR_DATABASE_URL: db.url, PROJECTOR_LOG_LEVEL: 'silent' });
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('partitions command', () => {
  it('list shows the blocked partition with its error', async () => {
    const { code, out } = await cli('list');
    expect(code).toBe(0);
    expect(out).toContain(`${worldId}/main`);
    expect(out).toMatch(/invalid_payload/);
    expect(out).toMatch(/1 partitions blocked/);
  });

  it('bad usage is exit code 2', async () => {
    expect((await cli('skip', '--world-id', worldId, '--branch', 'main')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('skip of another event is refused (1); of the blocked one is done, with the operator stored', async () => {
    const refused = await cli('skip', '--world-id', worldId, '--branch', 'main', '--global-seq', '3', '--reason', 'no');
    expect(refused).toMatchObject({ code: 1, err: 'the partition is blocked at event 2\n' });
    const done = await cli('skip', '--world-id', worldId, '--branch', 'main', '--global-seq', '2', '--reason', 'bad value', '--operator', 'bob');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.out)).toMatchObject({ status: 'skipped', partition: { watermark: 2, blocked_at: null } });
    const [skip] = await db.sql`SELECT operator, reason FROM event_core.projector_skips WHERE world_id = ${worldId}`;
    expect(skip).toEqual({ operator: 'bob', reason: 'bad value' });
    await catchUp(projector);
    expect((await partitionRows(projector, worldId)).applied).toEqual([1, 3]);
    expect((await cli('retry', '--world-id', worldId, '--branch', 'main')).code).toBe(1);
  });
});
