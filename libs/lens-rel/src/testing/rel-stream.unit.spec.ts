import { execFileSync } from 'node:child_process';
import { parseJsonBody, payloadHashOf } from '@projectors/projector-sdk';
import { describe, expect, it } from 'vitest';
import { relLens } from '../rel-lens.js';
import { utcMicros } from './expected-rel-model.js';
import { generateRelStream, REL_KINDS, type RelEvent } from './rel-stream.js';

const options = { seed: 42, events: 3000, worlds: 4, branches: 2 };
const stream = generateRelStream(options);
const payloads = (kind: string) => stream.filter((e) => e.envelope.kind === kind).map((e) => e.envelope.payload);

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'pass'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('generateRelStream', () => {
  it('given the same options, when generated twice, then the events are byte-identical', () => {
    expect(JSON.stringify(generateRelStream(options))).toBe(JSON.stringify(stream));
    expect(JSON.stringify(generateRelStream({ ...options, seed: 43 }))).not.toBe(JSON.stringify(stream));
  });

  it('given a startSeq, when generated, then global_seq starts there and rises strictly, with gaps', () => {
    const events = generateRelStream({ ...options, events: 500, startSeq: 1_000_000 });
    expect(events[0]!.global_seq).toBe(1_000_000);
    const steps = events.slice(1).map((e, i) => e.global_seq - events[i]!.global_seq);
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(1);
    expect(steps.filter((s) => s > 1).length).toBeGreaterThan(50);
    expect(stream[0]!.global_seq).toBe(1);
  });

  it('given a stream, then event ids are unique UUID-like strings, the same in the envelope', () => {
    expect(new Set(stream.map((e) => e.event_id)).size).toBe(stream.length);
    for (const e of stream) {
      expect(e.envelope.event_id).toBe(e.event_id);
      expect(e.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('given a stream, then every envelope has an occurred_at, and it rises strictly', () => {
    const times = stream.map((e) => utcMicros(e.envelope.occurred_at)!);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(new Set(stream.map((e) => e.envelope.occurred_at.slice(19))).size).toBeGreaterThan(5); // offsets and precisions vary
  });

  it('given worlds x branches, then every partition gets events, main more than the others', () => {
    const count = new Map<string, number>();
    for (const e of stream) {
      const key = `${e.envelope.world_id}/${e.envelope.branch}`;
      count.set(key, (count.get(key) ?? 0) + 1);
    }
    expect(count.size).toBe(8);
    expect(new Set(stream.map((e) => e.envelope.world_id)).size).toBe(4);
    expect(stream.filter((e) => e.envelope.branch === 'main').length).toBeGreaterThan(stream.length / 2);
    for (const n of count.values()) expect(n).toBeGreaterThan(100);
  });

  it('given a stream, then all seven kinds are present in about the intended mix', () => {
    const share = (kind: string) => payloads(kind).length / stream.length;
    expect(share('note.created')).toBeGreaterThan(0.25);
    expect(share('note.created')).toBeLessThan(0.4);
    expect(share('note.updated')).toBeGreaterThan(0.15);
    expect(share('tag.added')).toBeGreaterThan(0.15);
    expect(share('link.added')).toBeGreaterThan(0.1);
    for (const kind of ['note.deleted', 'tag.removed', 'link.removed']) {
      expect(share(kind)).toBeGreaterThan(0.03);
      expect(share(kind)).toBeLessThan(0.08);
    }
    expect(REL_KINDS.every((k) => payloads(k).length > 0)).toBe(true);
  });

  it('given a stream, then every payload is one the lens accepts', () => {
    for (const e of stream) {
      const parsed = relLens.handlers[e.envelope.kind]!.payload.safeParse(e.envelope.payload);
      expect(parsed.success, `${e.global_seq} ${e.envelope.kind}`).toBe(true);
    }
  });

  it('given a stream, then most references name a note created before, and some do not', () => {
    const created = new Set<string>();
    let known = 0;
    let unknown = 0;
    for (const e of stream) {
      const p = e.envelope.payload;
      if (e.envelope.kind === 'note.created') created.add(p['id'] as string);
      for (const ref of [p['id'], p['note_id'], p['src_id'], p['dst_id']]) {
        if (e.envelope.kind === 'note.created' || typeof ref !== 'string') continue;
        if (created.has(ref)) known++;
        else unknown++;
      }
    }
    expect(known / (known + unknown)).toBeGreaterThan(0.85);
    expect(unknown).toBeGreaterThan(10);
    const ids = payloads('note.created').map((p) => p['id']);
    expect(new Set(ids).size).toBeLessThan(ids.length); // some second creates of one id
  });

  it('given a stream, then titles and bodies have realistic sizes and some are not ASCII', () => {
    const bodies = [...payloads('note.created'), ...payloads('note.updated')].map((p) => p['body']).filter((b) => typeof b === 'string');
    expect(bodies.length).toBeGreaterThan(500);
    for (const b of bodies) expect(b.length).toBeGreaterThanOrEqual(20);
    for (const b of bodies) expect(b.length).toBeLessThanOrEqual(2000);
    expect(bodies.some((b) => b.length > 1500)).toBe(true);
    const texts = stream.map((e) => JSON.stringify(e.envelope.payload));
    expect(texts.some((t) => /[à-ÿ]/.test(t))).toBe(true);
    expect(texts.some((t) => /[\u4e00-\u9fff]/.test(t))).toBe(true);
    expect(texts.some((t) => /[\ud800-\udbff]/.test(t))).toBe(true);
    expect(payloads('note.updated').some((p) => p['body'] === null)).toBe(true);
  });

  it('given a stream, then payload times are sometimes given, sometimes null, mostly absent', () => {
    const created = payloads('note.created');
    const given = created.filter((p) => typeof p['created_at'] === 'string').length / created.length;
    expect(given).toBeGreaterThan(0.3);
    expect(given).toBeLessThan(0.6);
    expect(created.some((p) => p['created_at'] === null)).toBe(true);
    expect(created.some((p) => !('created_at' in p))).toBe(true);
  });

  it('given a stream, then every payload_hash is the SDK hash of the envelope, whatever the body style', () => {
    for (const e of stream) {
      expect(payloadHashOf(parseJsonBody(JSON.stringify(e.envelope, null, 2)).lossless)).toBe(e.payload_hash);
    }
  });

  it.skipIf(!hasPython())('given a stream, then CPython computes the same payload_hash', () => {
    const sample: RelEvent[] = stream.filter((_, i) => i % 10 === 0);
    const script =
      'import sys, json, hashlib\n' +
      'for e in json.load(sys.stdin):\n' +
      "    print(hashlib.sha256(json.dumps(e['envelope'], sort_keys=True, separators=(',', ':')).encode('utf-8')).hexdigest())\n";
    const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(sample), encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(sample.map((e) => e.payload_hash));
  });
});
