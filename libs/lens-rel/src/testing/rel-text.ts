import type { Rng } from './prng.js';

/**
 * Words for titles and bodies. Mostly English, with what a notes app really receives: accents,
 * CJK, emoji (outside the BMP, so `\ud83d…` surrogate pairs in CPython's ensure_ascii text),
 * quotes and backslashes that JSON must escape.
 */
const COMMON = (
  'the of and to in is it that for on with as was at by this be from or an are not but have you ' +
  'meeting project idea plan review draft outline summary question answer design schema event ' +
  'projector lens note tag link world branch replay state hash watermark partition order batch ' +
  'today tomorrow later maybe important remember check follow up decision context reference ' +
  'architecture database query index migration deploy release budget customer feedback research'
).split(' ');

const INTERNATIONAL = [
  'café', 'naïve', 'façade', 'résumé', 'Zürich', 'Straße', 'São Paulo', 'Ærøskøbing', 'niño', 'crème brûlée',
  'Kraków', 'Þórsmörk', 'Ελλάδα', 'Москва', '日本語', '東京', '数据库', '笔记', '한국어', 'مرحبا', 'שלום',
];

const SYMBOLS = ['🚀', '📝', '😀', '✅', '🔗', '🇫🇷', '€', '—', '…', '“quoted”', '"raw quotes"', 'C:\\path\\to', 'a\tb', '½'];

export const TAGS = [
  'work', 'personal', 'todo', 'idea', 'reading', 'urgent', 'later', 'project-x', 'meeting', 'Research',
  'research', 'café', '日本', 'à-lire', '⭐', 'q3-2026', 'draft', 'done',
];

export const LINK_TYPES = ['cites', 'extends', 'contradicts', 'see-also', 'parent', 'child'];

function word(rng: Rng): string {
  const r = rng.next();
  if (r < 0.9) return rng.pick(COMMON);
  if (r < 0.98) return rng.pick(INTERNATIONAL);
  return rng.pick(SYMBOLS);
}

/** 1 to 10 words, the first capitalised. */
export function title(rng: Rng): string {
  const words = Array.from({ length: rng.int(1, 10) }, () => word(rng));
  const first = words[0]!;
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ');
}

/** Sentences and paragraphs of about 20 to 2000 characters, mostly short. */
export function body(rng: Rng): string {
  const target = rng.chance(0.7) ? rng.int(20, 300) : rng.int(300, 1950);
  let text = '';
  let sentence = 0;
  while (text.trimEnd().length < target) {
    if (sentence === 0) {
      const w = word(rng);
      text += w.charAt(0).toUpperCase() + w.slice(1);
    } else {
      text += ` ${word(rng)}`;
    }
    sentence++;
    if (sentence > 4 && rng.chance(0.15)) {
      text += rng.pick(['.', '.', '!', '?']);
      sentence = 0;
      text += rng.chance(0.15) ? '\n\n' : ' ';
    }
  }
  return text.trimEnd();
}
