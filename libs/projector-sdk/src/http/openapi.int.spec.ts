import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { parseJsonBody, payloadHashOf } from '../hash/index.js';
import { defineLens } from '../lens/define-lens.js';
import { createProjector, type Projector } from '../server/create-projector.js';
import { logEvents, makeEvent, newWorld, type TestEvent } from '../testing/fixtures/events.fixture.js';
import { memoLens } from '../testing/fixtures/memo-lens.fixture.js';
import { testProjector } from '../testing/fixtures/projector.fixture.js';
import { useTestDatabase } from '../testing/index.js';
import { documentedExamples, postDocumentedExamples } from '../testing/openapi-examples.js';

const TOKEN = 's3cret';
const db = useTestDatabase({ prefix: 'sdk_openapi' });
/** Every answer a write route has: a token (401), the reject policy (409), a small body limit (413). */
let strict: Projector;
/** The defaults: no token, gaps filled. */
let plain: Projector;
/** A database nothing listens on: the 503s. */
let down: Projector;
/** A database never migrated: /ready's migrations reason. */
const empty = useTestDatabase({ prefix: 'sdk_openapi_empty' });
let unmigrated: Projector;
/** A loop watched that never beats, with a stall grace of 1 ms: /ready's stalled reason. */
let stalled: Projector;

beforeAll(async () => {
  strict = await testProjector(db.url, { PROJECTOR_AUTH_TOKEN: TOKEN, PROJECTOR_GAP_POLICY: 'reject', PROJECTOR_BODY_LIMIT_BYTES: '4096' });
  plain = await testProjector(db.url);
  down = await createProjector({
    lens: memoLens,
    config: parseConfig({
      PROJECTOR_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x',
      PROJECTOR_MAX_RETRY_ATTEMPTS: '0',
      PROJECTOR_ERROR_BACKOFF_SECONDS: '0.05',
      PROJECTOR_LOG_LEVEL: 'silent',
    }),
  });
  unmigrated = await createProjector({ lens: memoLens, config: parseConfig({ PROJECTOR_DATABASE_URL: empty.url, PROJECTOR_LOG_LEVEL: 'silent' }) });
  stalled = await testProjector(db.url, { PROJECTOR_STALL_SECONDS: '0.001' });
  stalled.progress.watch('catch-up', 0);
  await new Promise((resolve) => setTimeout(resolve, 10));
});
afterAll(async () => {
  await Promise.all([strict?.close(), plain?.close(), down?.close(), unmigrated?.close(), stalled?.close()]);
});

const openapi = async (p: Projector) => (await p.app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenAPIV3.Document;
const operationsOf = (doc: OpenAPIV3.Document) =>
  Object.entries(doc.paths).flatMap(([url, item]) =>
    Object.entries(item as Record<string, OpenAPIV3.OperationObject>).map(([method, operation]) => ({ url, method, operation })),
  );

describe('GET /openapi.json', () => {
  it.each([
    ['a token and the reject policy', () => strict],
    ['the defaults', () => plain],
  ])('is a valid OpenAPI 3 document with %s', async (_name, projector) => {
    const doc = await openapi(projector());
    expect(doc.openapi).toMatch(/^3\.0\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('documents every response of every operation with a description of its own and a schema per content type', async () => {
    for (const doc of [await openapi(strict), await openapi(plain)]) {
      const operations = operationsOf(doc);
      expect(operations.map((o) => `${o.method} ${o.url}`).sort()).toEqual(
        [
          'get /health',
          'get /ready',
          'get /metrics',
          'get /state-hash',
          'post /events',
          'post /events/batch',
          'get /partitions',
          'get /partitions/{world_id}/{branch}',
          'post /partitions/{world_id}/{branch}/skip',
          'post /partitions/{world_id}/{branch}/retry',
          'get /rebuild',
          'post /rebuild',
        ].sort(),
      );
      for (const { url, method, operation } of operations) {
        for (const [status, response] of Object.entries(operation.responses) as [string, OpenAPIV3.ResponseObject][]) {
          const where = `${method} ${url} ${status}`;
          expect(response.description, where).not.toBe('Default Response');
          expect(response.description.length, where).toBeGreaterThan(10);
          expect(Object.keys(response.content ?? {}).length, where).toBeGreaterThan(0);
          for (const media of Object.values(response.content ?? {})) expect(media.schema, where).toBeTypeOf('object');
          if (status === '503') expect(response.headers?.['Retry-After'], where).toBeDefined();
        }
      }
    }
  });

  it('requires the bearer token on the write routes and the operator routes exactly when one is configured', async () => {
    const behindToken = (method: string, url: string) => method === 'post' || url.startsWith('/partitions') || url === '/rebuild';
    const secured = await openapi(strict);
    expect(secured.components?.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    for (const { method, url, operation } of operationsOf(secured)) {
      expect(operation.security, `${method} ${url}`).toEqual(behindToken(method, url) ? [{ bearer: [] }] : undefined);
      expect(Object.keys(operation.responses).includes('401'), `${method} ${url}`).toBe(behindToken(method, url));
    }
    const open = await openapi(plain);
    expect(open.components?.securitySchemes).toBeUndefined();
    // 409 without the reject policy: a blocked partition (POST /events) and a skip of the wrong event.
    const conflicts = ['post /events', 'post /partitions/{world_id}/{branch}/skip', 'post /rebuild'];
    for (const { method, url, operation } of operationsOf(open)) {
      expect(operation.security).toBeUndefined();
      expect(Object.keys(operation.responses)).not.toContain('401');
      expect(Object.keys(operation.responses).includes('409'), `${method} ${url}`).toBe(conflicts.includes(`${method} ${url}`));
    }
  });

  it("documents each kind's payload with the lens's schema, selected by envelope.kind", async () => {
    const doc = await openapi(plain);
    const event = doc.components!.schemas!['EventInput'] as OpenAPIV3.SchemaObject;
    const variants = event.oneOf as OpenAPIV3.SchemaObject[];
    const envelopeOf = (v: OpenAPIV3.SchemaObject) => v.properties!['envelope'] as OpenAPIV3.SchemaObject;
    const kinds = Object.keys(memoLens.handlers);
    expect(variants.map((v) => (envelopeOf(v).properties!['kind'] as OpenAPIV3.SchemaObject).enum?.[0])).toEqual([...kinds, undefined]);
    const other = envelopeOf(variants.at(-1)!).properties!['kind'] as OpenAPIV3.SchemaObject;
    expect(other.not).toEqual({ enum: kinds });
    const itemSet = envelopeOf(variants[0]!).properties!['payload'] as OpenAPIV3.SchemaObject;
    expect(Object.keys(itemSet.properties!)).toEqual(['id', 'value', 'amount']);
    expect(itemSet.required).toEqual(['id', 'value']);
    // Both write routes use it: the batch's events are the same schema.
    const body = (url: string) => (doc.paths[url]!.post!.requestBody as OpenAPIV3.RequestBodyObject).content['application/json']!.schema;
    expect(body('/events')).toEqual({ $ref: '#/components/schemas/EventInput' });
    expect(((body('/events/batch') as OpenAPIV3.SchemaObject).properties!['events'] as OpenAPIV3.ArraySchemaObject).items).toEqual({
      $ref: '#/components/schemas/EventInput',
    });
  });
});

/** The schema the document gives for an answer, with its $refs resolved. */
async function documentedSchema(p: Projector, method: string, url: string, status: number, contentType: string) {
  const doc = (await SwaggerParser.dereference((await openapi(p)) as never)) as OpenAPIV3.Document;
  const response = doc.paths[new URL(url, 'http://x').pathname]?.[method.toLowerCase() as 'get']?.responses[String(status)] as
    | OpenAPIV3.ResponseObject
    | undefined;
  return { response, schema: response?.content?.[contentType]?.schema };
}

const ajv = addFormats.default(new Ajv({ strict: false, allErrors: true }));

interface Case {
  name: string;
  projector: () => Projector;
  method: 'GET' | 'POST';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  status: number;
  /** What the answer says: its status for a 200, its error code otherwise (the case's name). */
  answer?: Record<string, unknown>;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const event = (seq: number, kind = 'item.set', payload: Record<string, unknown> = { id: 'a', value: 'v' }) =>
  makeEvent(seq, kind, payload, { worldId: newWorld() });
const tampered = (e: TestEvent) => ({ ...e, envelope: { ...e.envelope, payload: { id: 'a', value: 'changed' } } });
const post = (name: string, url: string, payload: unknown, status: number, p = () => strict, headers: Record<string, string> = auth): Case => ({
  name,
  answer: status === 200 ? { status: name.replace('batch ', '') } : { error: name.replace('batch ', '') },
  projector: p,
  method: 'POST',
  url,
  payload,
  headers,
  status,
});
const batch = (...events: unknown[]) => ({ events });
const first = event(10);
// The log holds 201 and 205, and 301 and 305, of two partitions: 205 (305) delivered first is out of order under reject.
const [gapOne, gapBatch] = [200, 300].map((base) => {
  const worldId = newWorld();
  return [base + 1, base + 5].map((seq) => makeEvent(seq, 'item.set', { id: 'g', value: 'v' }, { worldId }));
});

const cases: Case[] = [
  post('processed', '/events', first, 200),
  post('duplicate', '/events', first, 200),
  post('ignored', '/events', event(11, 'no.handler', {}), 200),
  post('invalid_event', '/events', { ...event(12), global_seq: 0 }, 400),
  post('payload_hash_mismatch', '/events', tampered(event(13)), 400),
  post('invalid_payload', '/events', event(14, 'item.set', { id: 'a' }), 400),
  post('unauthorized', '/events', event(15), 401, () => strict, {}),
  post('out_of_order', '/events', gapOne![1], 409),
  post('payload_too_large', '/events', event(16, 'item.set', { id: 'a', value: 'x'.repeat(5000) }), 413),
  post('apply_failed', '/events', event(17, 'item.crash', {}), 500),
  post('unavailable', '/events', event(18), 503, () => down, {}),
  post('batch processed', '/events/batch', batch(event(20), event(21, 'no.handler', {})), 200),
  post('batch invalid_event', '/events/batch', batch({ ...event(22), event_id: '' }), 400),
  post('batch payload_hash_mismatch', '/events/batch', batch(tampered(event(23))), 400),
  post('batch invalid_payload', '/events/batch', batch(event(24, 'item.set', { id: 'a' })), 400),
  post('batch unauthorized', '/events/batch', batch(event(25)), 401, () => strict, { authorization: 'Bearer wrong' }),
  post('batch out_of_order', '/events/batch', batch(gapBatch![1]), 409),
  post('batch payload_too_large', '/events/batch', batch(event(26, 'item.set', { id: 'a', value: 'x'.repeat(70_000) })), 413),
  post('batch apply_failed', '/events/batch', batch(event(27, 'item.crash', {})), 500),
  post('batch unavailable', '/events/batch', batch(event(28)), 503, () => down, {}),
  { name: 'health healthy', projector: () => strict, method: 'GET', url: '/health', status: 200, answer: { status: 'healthy' } },
  { name: 'health healthy without a database', projector: () => down, method: 'GET', url: '/health', status: 200, answer: { status: 'healthy' } },
  { name: 'ready', projector: () => strict, method: 'GET', url: '/ready', status: 200, answer: { status: 'ready' } },
  { name: 'ready not_ready: database', projector: () => down, method: 'GET', url: '/ready', status: 503, answer: { status: 'not_ready' } },
  { name: 'ready not_ready: migrations', projector: () => unmigrated, method: 'GET', url: '/ready', status: 503, answer: { status: 'not_ready', reasons: [{ check: 'migrations' }] } },
  { name: 'ready not_ready: stalled', projector: () => stalled, method: 'GET', url: '/ready', status: 503, answer: { status: 'not_ready', reasons: [{ check: 'stalled', task: 'catch-up' }] } },
  { name: 'state-hash', projector: () => strict, method: 'GET', url: `/state-hash?world_id=${newWorld()}&branch=main`, status: 200 },
  { name: 'state-hash bad query', projector: () => strict, method: 'GET', url: '/state-hash?world_id=w1&branch=main', status: 400 },
  { name: 'state-hash unavailable', projector: () => down, method: 'GET', url: `/state-hash?world_id=${newWorld()}&branch=main`, status: 503 },
  { name: 'metrics text', projector: () => strict, method: 'GET', url: '/metrics', status: 200 },
  { name: 'rebuild status', projector: () => strict, method: 'GET', url: '/rebuild', headers: auth, status: 200 },
  { name: 'rebuild unauthorized', projector: () => strict, method: 'GET', url: '/rebuild', status: 401 },
  { name: 'metrics JSON', projector: () => strict, method: 'GET', url: '/metrics', headers: { accept: 'application/json' }, status: 200 },
  { name: 'metrics JSON unavailable', projector: () => down, method: 'GET', url: '/metrics', headers: { accept: 'application/json' }, status: 503 },
];

describe('every answer the routes give is documented, and matches its schema', () => {
  beforeAll(() => logEvents(db.sql, [...gapOne!, ...gapBatch!]));

  it.each(cases)('$method $url: $name ($status)', async (c) => {
    const p = c.projector();
    const res = await p.app.inject({ method: c.method, url: c.url, headers: c.headers, ...(c.payload !== undefined && { payload: c.payload as object }) });
    expect(res.statusCode).toBe(c.status);
    if (c.answer) expect(res.json()).toMatchObject(c.answer);
    const contentType = String(res.headers['content-type']).split(';')[0]!;
    const { response, schema } = await documentedSchema(p, c.method, c.url, c.status, contentType);
    expect(response, 'the status is documented').toBeDefined();
    expect(schema, `a schema for ${contentType}`).toBeDefined();
    const body = contentType === 'application/json' ? res.json() : res.body;
    const validate = ajv.compile(schema as object);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    if (c.status === 503 && res.headers['retry-after'] !== undefined) expect(response!.headers?.['Retry-After']).toBeDefined();
  });

  it('the checks above can fail: an answer of another status does not match the documented one', async () => {
    const { schema } = await documentedSchema(strict, 'POST', '/events', 200, 'application/json');
    expect(ajv.compile(schema as object)({ error: 'invalid_event', message: 'x', issues: [] })).toBe(false);
    const { response } = await documentedSchema(plain, 'POST', '/events', 401, 'application/json');
    expect(response).toBeUndefined();
  });
});

describe('the examples of the document', () => {
  // The memo lens's item.crash fails on purpose and item.slow sleeps: a lens without them.
  const { 'item.crash': _crash, 'item.slow': _slow, ...handlers } = memoLens.handlers;
  const exampleLens = defineLens({ name: 'memo', migrations: memoLens.migrations, handlers, snapshot: memoLens.snapshot });
  let examples: Projector;
  beforeAll(async () => {
    examples = await testProjector(db.url, { PROJECTOR_AUTH_TOKEN: TOKEN }, exampleLens);
  });
  afterAll(() => examples?.close());

  it('are one per kind for /events and one batch of every kind, each with a correct payload_hash and a small global_seq', async () => {
    const found = await documentedExamples(examples);
    expect(found.map((e) => `${e.url} ${e.name}`)).toEqual([
      ...Object.keys(handlers).map((kind) => `/events ${kind}`),
      '/events/batch every_kind',
    ]);
    const events = found.flatMap((e) => (e.url === '/events' ? [e.body] : (e.body as { events: unknown[] }).events)) as TestEvent[];
    for (const e of events) {
      expect(e.payload_hash).toBe(payloadHashOf(parseJsonBody(JSON.stringify(e.envelope)).lossless));
      expect(e.global_seq).toBeGreaterThanOrEqual(1);
      expect(e.global_seq).toBeLessThanOrEqual(1000);
    }
  });

  it('match the documented request schema', async () => {
    const doc = (await SwaggerParser.dereference((await openapi(examples)) as never)) as OpenAPIV3.Document;
    for (const e of await documentedExamples(examples)) {
      const body = doc.paths[e.url]!.post!.requestBody as OpenAPIV3.RequestBodyObject;
      const validate = ajv.compile(body.content['application/json']!.schema as object);
      expect(validate(e.body), `${e.url} ${e.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('are each answered processed when posted as they are', async () => {
    const answers = await postDocumentedExamples(examples, TOKEN);
    expect(answers.length).toBe(Object.keys(handlers).length + 1);
    for (const { example, status, body } of answers) {
      expect(status, `${example.url} ${example.name}: ${JSON.stringify(body)}`).toBe(200);
      expect(body).toMatchObject({ status: 'processed' });
      for (const result of (body as { results?: { status: string }[] }).results ?? []) expect(result.status).toBe('processed');
    }
  });
});

describe('the examples of a lens without handlers', () => {
  const bareLens = defineLens({ name: 'bare', migrations: [], handlers: {}, snapshot: {} });
  let bare: Projector;
  beforeAll(async () => {
    bare = await testProjector(db.url, {}, bareLens);
  });
  afterAll(() => bare?.close());

  it('are one event of a kind it ignores, alone and in a batch, each answered ignored rather than refused', async () => {
    const answers = await postDocumentedExamples(bare);
    expect(answers.map((a) => [a.example.url, a.status, a.body])).toEqual([
      ['/events', 200, { status: 'ignored', global_seq: 1 }],
      ['/events/batch', 200, { status: 'processed', results: [{ global_seq: 1, status: 'ignored' }] }],
    ]);
  });
});
