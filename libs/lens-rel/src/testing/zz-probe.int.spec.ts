import { createProjector, parseConfig, replayPartition, listPartitions } from '@projectors/projector-sdk';
import { createTestDatabase } from '@projectors/projector-sdk/testing';
import { it } from 'vitest';
import { relLens } from '../rel-lens.js';
import { expectedRelModel, generateRelStream, logRelEvents, readRelPartition } from './index.js';

it('probe', async () => {
  const events = generateRelStream({ seed: 20261101, events: 3000, worlds: 4, branches: 2 });
  const model = expectedRelModel(events);
  let t = performance.now();
  const lap = (what: string) => { const n = performance.now(); console.log(what, Math.round(n - t)); t = n; };
  const db = await createTestDatabase({ prefix: 'probe', max: 1 });
  await db.sql.unsafe(`ALTER DATABASE ${db.name} SET synchronous_commit = off`);
  lap('createdb');
  const projector = await createProjector({ lens: relLens, config: parseConfig({ PROJECTOR_DATABASE_URL: db.url, PROJECTOR_LOG_LEVEL: 'warn', PROJECTOR_DB_POOL_MAX: '4' }) });
  await projector.migrate();
  lap('migrate');
  await logRelEvents(projector.sql, events);
  lap('log');
  for (let i = 0; i < 3000; i += 200) {
    const r = await projector.app.inject({ method: 'POST', url: '/events/batch', payload: { events: events.slice(i, i + 200) } });
    if (r.statusCode !== 200) console.log(r.body);
  }
  lap('batches');
  console.log(await listPartitions(projector.sql, relLens));
  lap('list');
  for (const p of model) {
    const rows = await readRelPartition(projector.sql, p);
    lap('read');
    const res = await projector.app.inject({ method: 'GET', url: '/state-hash', query: { world_id: p.world_id, branch: p.branch } });
    lap('state-hash ' + res.body);
    const r = await replayPartition(projector.sql, relLens, { worldId: p.world_id, branch: p.branch });
    lap('replay ' + r.equal + ' ' + r.eventsReplayed);
    console.log(JSON.stringify(rows) === JSON.stringify(p));
  }
  await projector.close();
  await db.drop();
}, 120_000);
