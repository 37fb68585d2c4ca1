/**
 * An oracle for the relational lens: what `lens_rel` must hold after a stream of events, worked
 * out in memory straight from contract.md and the lens README, without any of the lens's code or
 * PostgreSQL. Tests compare the database with it.
 */

export interface RelNoteRow {
  note_id: string;
  title: string;
  body: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface RelTagRow {
  note_id: string;
  tag: string;
  applied_at: string | null;
}

export interface RelLinkRow {
  src_id: string;
  dst_id: string;
  link_type: string;
  created_at: string | null;
}

/** One partition's rows in primary-key order (byte order of the text, as `COLLATE "C"`). */
export interface RelPartitionRows {
  world_id: string;
  branch: string;
  /** The last `global_seq` of the partition: the watermark once every event is applied. */
  watermark: number;
  notes: RelNoteRow[];
  tags: RelTagRow[];
  links: RelLinkRow[];
}

/** The event fields the model reads: `RelEvent` fits, and so does any event posted to a projector. */
export interface ModelEvent {
  global_seq: number;
  envelope: { world_id: string; branch: string; kind: string; payload: Record<string, unknown>; occurred_at?: string | null };
}

interface PartitionModel {
  world_id: string;
  branch: string;
  watermark: number;
  notes: Map<string, RelNoteRow>;
  tags: Map<string, RelTagRow>;
  links: Map<string, RelLinkRow>;
}

const key = (...parts: string[]): string => parts.join('\u0000');
const text = (value: unknown): string => value as string;

/**
 * Per partition (sorted by world_id, branch), the rows the lens must hold once `events` are
 * applied. Events are taken in `global_seq` order, each seq once, so redeliveries may be passed.
 * Times are UTC ISO with microseconds (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), as the state hash writes them.
 */
export function expectedRelModel(events: readonly ModelEvent[]): RelPartitionRows[] {
  const partitions = new Map<string, PartitionModel>();
  const seen = new Set<number>();
  for (const event of [...events].sort((a, b) => a.global_seq - b.global_seq)) {
    if (seen.has(event.global_seq)) continue;
    seen.add(event.global_seq);
    const { world_id, branch } = event.envelope;
    const worldId = world_id.toLowerCase();
    const partitionId = key(worldId, branch);
    let model = partitions.get(partitionId);
    if (!model) {
      model = { world_id: worldId, branch, watermark: 0, notes: new Map(), tags: new Map(), links: new Map() };
      partitions.set(partitionId, model);
    }
    model.watermark = event.global_seq;
    applyEvent(model, event.envelope.kind, event.envelope.payload, event.envelope.occurred_at ?? null);
  }
  return [...partitions.values()]
    .sort((a, b) => byBytes(a.world_id, b.world_id) || byBytes(a.branch, b.branch))
    .map((m) => ({
      world_id: m.world_id,
      branch: m.branch,
      watermark: m.watermark,
      notes: [...m.notes.values()].sort((a, b) => byBytes(a.note_id, b.note_id)),
      tags: [...m.tags.values()].sort((a, b) => byBytes(a.note_id, b.note_id) || byBytes(a.tag, b.tag)),
      links: [...m.links.values()].sort(
        (a, b) => byBytes(a.src_id, b.src_id) || byBytes(a.dst_id, b.dst_id) || byBytes(a.link_type, b.link_type),
      ),
    }));
}

function applyEvent(m: PartitionModel, kind: string, p: Record<string, unknown>, occurredAt: string | null): void {
  // A time absent from the payload, or null there, comes from occurred_at, else is null.
  const time = (field: string): string | null => utcMicros((p[field] as string | null | undefined) ?? occurredAt);
  switch (kind) {
    case 'note.created': {
      const id = text(p['id']);
      if (m.notes.has(id)) return;
      const at = time('created_at');
      const body = (p['body'] as string | null | undefined) ?? null;
      m.notes.set(id, { note_id: id, title: text(p['title']), body, created_at: at, updated_at: at });
      return;
    }
    case 'note.updated': {
      const note = m.notes.get(text(p['id']));
      if (!note) return;
      if (p['title'] !== undefined) note.title = text(p['title']);
      if (p['body'] !== undefined) note.body = p['body'] as string | null; // null clears the body
      note.updated_at = time('updated_at');
      return;
    }
    case 'note.deleted': {
      const id = text(p['id']);
      m.notes.delete(id);
      for (const [k, tag] of m.tags) if (tag.note_id === id) m.tags.delete(k);
      for (const [k, link] of m.links) if (link.src_id === id || link.dst_id === id) m.links.delete(k);
      return;
    }
    case 'tag.added': {
      const k = key(text(p['note_id']), text(p['tag']));
      if (!m.tags.has(k)) m.tags.set(k, { note_id: text(p['note_id']), tag: text(p['tag']), applied_at: time('applied_at') });
      return;
    }
    case 'tag.removed':
      m.tags.delete(key(text(p['note_id']), text(p['tag'])));
      return;
    case 'link.added': {
      const type = (p['link_type'] as string | undefined) ?? 'related';
      const k = key(text(p['src_id']), text(p['dst_id']), type);
      if (!m.links.has(k)) {
        m.links.set(k, { src_id: text(p['src_id']), dst_id: text(p['dst_id']), link_type: type, created_at: time('created_at') });
      }
      return;
    }
    case 'link.removed':
      m.links.delete(key(text(p['src_id']), text(p['dst_id']), (p['link_type'] as string | undefined) ?? 'related'));
      return;
    default:
      return; // not a relational kind: the watermark moves, nothing else
  }
}

/** Orders strings by their UTF-8 bytes, which is code-point order, as PostgreSQL's `COLLATE "C"`. */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 time in UTC with exactly six fraction digits. More than six digits round half up to
 * the microsecond (the generator never writes more than six).
 */
export function utcMicros(time: string | null): string | null {
  if (time === null) return null;
  const m = RFC3339.exec(time);
  if (!m) throw new Error(`expectedRelModel: not an RFC 3339 time with an offset: ${time}`);
  const [, y, mo, d, h, mi, s, fraction = '', zone] = m;
  let micros = Number(fraction.padEnd(6, '0').slice(0, 6));
  if (fraction.length > 6 && Number(fraction[6]) >= 5) micros += 1;
  const offsetMinutes = zone === 'Z' ? 0 : (zone!.startsWith('-') ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  const epochMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
  const total = epochMs * 1000 + micros;
  const seconds = Math.floor(total / 1_000_000);
  const rest = total - seconds * 1_000_000;
  const iso = new Date(seconds * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${String(rest).padStart(6, '0')}Z`;
}
