import { documentedExamples, postDocumentedExamples, useTestProjector } from '@projectors/projector-sdk/testing';
import { describe, expect, it } from 'vitest';
import { relLens } from './rel-lens.js';

const t = useTestProjector(relLens, { prefix: 'lens_rel_openapi' });

interface Schema {
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
}

const KINDS = ['note.created', 'note.updated', 'note.deleted', 'tag.added', 'tag.removed', 'link.added', 'link.removed'];

describe("projector-rel's OpenAPI document", () => {
  it('given the rel lens, when documented, then each of its seven kinds shows its payload fields', async () => {
    const doc = (await t.projector.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const variants = (doc.components.schemas.EventInput as Schema).oneOf!;
    const payloads: Record<string, Schema> = Object.fromEntries(
      variants.flatMap((v): [unknown, Schema][] => {
        const envelope = v.properties!['envelope']!.properties!;
        const kind = envelope['kind']!.enum?.[0];
        return kind ? [[kind, envelope['payload']!]] : [];
      }),
    );
    expect(Object.keys(payloads)).toEqual(KINDS);
    const fields = Object.fromEntries(Object.entries(payloads).map(([kind, p]) => [kind, { all: Object.keys(p.properties!), required: p.required }]));
    expect(fields).toEqual({
      'note.created': { all: ['id', 'title', 'body', 'created_at'], required: ['id', 'title'] },
      'note.updated': { all: ['id', 'title', 'body', 'updated_at'], required: ['id'] },
      'note.deleted': { all: ['id'], required: ['id'] },
      'tag.added': { all: ['note_id', 'tag', 'applied_at'], required: ['note_id', 'tag'] },
      'tag.removed': { all: ['note_id', 'tag'], required: ['note_id', 'tag'] },
      'link.added': { all: ['src_id', 'dst_id', 'link_type', 'created_at'], required: ['src_id', 'dst_id'] },
      'link.removed': { all: ['src_id', 'dst_id', 'link_type'], required: ['src_id', 'dst_id'] },
    });
  });

  it('given its examples, when each is posted as it stands, then each is processed and writes rows', async () => {
    expect((await documentedExamples(t.projector)).map((e) => `${e.url} ${e.name}`)).toEqual([
      ...KINDS.map((kind) => `/events ${kind}`),
      '/events/batch every_kind',
    ]);
    const answers = await postDocumentedExamples(t.projector);
    for (const { example, status, body } of answers) {
      expect(status, `${example.url} ${example.name}: ${JSON.stringify(body)}`).toBe(200);
      expect(body).toMatchObject({ status: 'processed' });
    }
    const batch = answers.at(-1)!.body as { results: { status: string }[] };
    expect(batch.results.map((r) => r.status)).toEqual(KINDS.map(() => 'processed'));
    const [{ notes }] = await t.db.sql<{ notes: number }[]>`SELECT count(*)::int AS notes FROM lens_rel.note`;
    expect(notes).toBeGreaterThan(0);
  });
});
