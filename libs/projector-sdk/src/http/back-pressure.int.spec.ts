import { describe, expect, it } from 'vitest';
import { makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { useTestProjector } from '../testing/index.js';

// A batch may be 16 x 1000 bytes, so the bodies being received may hold 64000 bytes at once.
const t = useTestProjector(memoLens, { prefix: 'sdk_back_pressure', env: { PROJECTOR_BODY_LIMIT_BYTES: '1000' } });

describe('the byte budget of bodies being received', () => {
  it('is given back by every answered request: many more bytes than the budget pass one after another', async () => {
    const worldId = newWorld();
    let bytes = 0;
    for (let seq = 1; seq <= 300; seq++) {
      const body = JSON.stringify(makeEvent(seq, 'no.handler', { n: seq }, { worldId }));
      bytes += body.length;
      const res = await t.projector.app.inject({ method: 'POST', url: '/events', payload: body, headers: { 'content-type': 'application/json' } });
      expect(res.json(), `event ${seq}`).toEqual({ status: 'ignored', global_seq: seq });
    }
    expect(bytes).toBeGreaterThan(64_000);
    // Refused answers give it back too.
    for (let i = 0; i < 300; i++) {
      const res = await t.projector.app.inject({ method: 'POST', url: '/events', payload: `{"global_seq":${' '.repeat(900)}`, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
    }
    const last = await t.projector.app.inject({ method: 'POST', url: '/events', payload: makeEvent(301, 'no.handler', {}, { worldId }) });
    expect(last.json()).toEqual({ status: 'ignored', global_seq: 301 });
  });
});
