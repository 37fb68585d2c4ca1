import { describe, expect, it } from 'vitest';
import { makeEvent, newWorld } from '../testing/fixtures/events.fixture.js';
import { partitionRows } from '../testing/fixtures/projector.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { useTestProjector } from '../testing/index.js';

const t = useTestProjector(memoLens, { prefix: 'sdk_strict_input' });

/** The event's JSON text with `"value":"@"` replaced by the given bytes inside the string. */
function bodyWith(bytes: number[], worldId: string): Buffer {
  const text = JSON.stringify(makeEvent(1, 'item.set', { id: 'a', value: '@' }, { worldId }, { withHash: false }));
  const [before, after] = text.split('@') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}
const postRaw = (payload: Buffer | string, contentType: string | undefined) =>
  t.projector.app.inject({ method: 'POST', url: '/events', payload, headers: contentType ? { 'content-type': contentType } : {} });

describe('strict UTF-8 bodies', () => {
  it.each([
    ['a lone 0xff byte', [0xff]],
    ['an overlong "/" (0xc0 0xaf)', [0xc0, 0xaf]],
    ['a CESU-8 surrogate (U+D800 as 0xed 0xa0 0x80)', [0xed, 0xa0, 0x80]],
    ['a truncated sequence (0xe2 0x82)', [0xe2, 0x82]],
  ])('%s: 400 invalid_event, nothing written', async (_name, bytes) => {
    const worldId = newWorld();
    const res = await postRaw(bodyWith(bytes, worldId), 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_event', issues: [], message: expect.stringMatching(/UTF-8/) });
    expect(await partitionRows(t.projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
  });

  it('the same body in valid UTF-8 (a multi-byte character) passes', async () => {
    const worldId = newWorld();
    const res = await postRaw(bodyWith([0xe2, 0x82, 0xac], worldId), 'application/json; charset=UTF-8');
    expect(res.json()).toEqual({ status: 'processed', global_seq: 1 });
    expect((await partitionRows(t.projector, worldId)).items).toEqual([{ item_id: 'a', value: '€', amount: null }]);
  });

  it.each(['application/json; charset=latin1', 'application/json;charset="ISO-8859-1"', 'application/json; charset=utf-16'])(
    '%s: 415 unsupported_media_type, nothing written',
    async (contentType) => {
      const worldId = newWorld();
      const res = await postRaw(bodyWith([0x41], worldId), contentType);
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ error: 'unsupported_media_type', message: expect.stringMatching(/UTF-8/) });
      expect(await partitionRows(t.projector, worldId)).toEqual({ watermark: null, items: [], applied: [] });
    },
  );

  it.each([['text/plain'], [undefined]])('content type %s: 400 invalid_event naming application/json', async (contentType) => {
    const res = await postRaw('{"global_seq":1}', contentType);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_event', message: expect.stringContaining('application/json') });
  });
});

describe('GET /state-hash refuses what no branch can hold', () => {
  // A query string cannot carry a lone surrogate (percent-encoded UTF-8 has none): NUL is what gets through.
  it('a branch with NUL: 400 invalid_event, not a database error', async () => {
    const res = await t.projector.app.inject({ method: 'GET', url: `/state-hash?world_id=${newWorld()}&branch=a%00b` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_event', message: expect.stringContaining('NUL') });
  });
});
