import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonTree } from './json-tree.js';
import { parseLosslessJson } from './lossless-json.js';
import { canonicalEnvelopeText, isPayloadHash, payloadHashOf } from './payload-hash.js';

// A copy of the publisher's shared vectors, so the repo depends on nothing outside it.
interface Vector {
  readonly name: string;
  readonly body: string;
  readonly canonical: string;
  readonly payload_hash: string;
}
const { vectors } = JSON.parse(
  readFileSync(new URL('./fixtures/payload-hash.json', import.meta.url), 'utf8'),
) as { vectors: readonly Vector[] };

function envelopeOf(body: string): JsonTree {
  const tree = parseLosslessJson(body);
  if (!isJsonObject(tree)) throw new Error('body is not an object');
  return tree.entries.get('envelope') ?? null;
}

describe('payload hash: publisher vectors', () => {
  it('has vectors covering the traps', () => {
    expect(vectors.map((v) => v.name)).toEqual(
      expect.arrayContaining(['latin1', 'cjk-raw-body', 'emoji', 'escapes', 'float-one', 'big-int', 'received-at-excluded', 'pretty-body']),
    );
  });

  it.each(vectors)('$name: canonical text', ({ body, canonical }) => {
    expect(canonicalEnvelopeText(envelopeOf(body))).toBe(canonical);
  });

  it.each(vectors)('$name: payload hash', ({ body, payload_hash }) => {
    const hash = payloadHashOf(envelopeOf(body));
    expect(hash).toBe(payload_hash);
    expect(isPayloadHash(hash)).toBe(true);
  });

  it.each(vectors)('$name: the body carries the same hash', ({ body, payload_hash }) => {
    const tree = parseLosslessJson(body);
    expect(isJsonObject(tree) && tree.entries.get('payload_hash')).toBe(payload_hash);
  });
});

describe('payload hash: envelope handling', () => {
  it('drops top-level received_at and payload_hash only', () => {
    const envelope = parseLosslessJson(
      '{"received_at": "x", "payload_hash": "y", "kind": "k", "payload": {"received_at": 1, "payload_hash": 2}}',
    );
    expect(canonicalEnvelopeText(envelope)).toBe('{"kind":"k","payload":{"payload_hash":2,"received_at":1}}');
    expect(payloadHashOf(envelope)).toBe(payloadHashOf(parseLosslessJson('{"payload":{"received_at":1,"payload_hash":2},"kind":"k"}')));
  });

  it('does not modify the envelope tree', () => {
    const envelope = parseLosslessJson('{"received_at": "x", "kind": "k"}');
    canonicalEnvelopeText(envelope);
    expect(isJsonObject(envelope) && [...envelope.entries.keys()]).toEqual(['received_at', 'kind']);
  });

  it('hashes an empty envelope as sha256("{}")', () => {
    expect(payloadHashOf(parseLosslessJson('{"received_at": 1}'))).toBe(
      '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
  });

  it.each(['[]', '"envelope"', '1', 'null', 'true'])('throws a TypeError for a non-object envelope %s', (text) => {
    expect(() => payloadHashOf(parseLosslessJson(text))).toThrow(TypeError);
    expect(() => canonicalEnvelopeText(parseLosslessJson(text))).toThrow(TypeError);
  });

  it('isPayloadHash accepts only 64 lowercase hex digits', () => {
    expect(isPayloadHash('a'.repeat(64))).toBe(true);
    expect(isPayloadHash('A'.repeat(64))).toBe(false);
    expect(isPayloadHash('a'.repeat(63))).toBe(false);
    expect(isPayloadHash(`${'a'.repeat(64)}\n`)).toBe(false);
    expect(isPayloadHash(42)).toBe(false);
  });
});
