import { describe, expect, it } from 'vitest';
import { generateRelStream } from '@projectors/lens-rel/testing';
import { copyValue, lensRows } from './raw-postgres.js';

describe('copyValue', () => {
  it('escapes what COPY text format needs', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyValue('plain é')).toBe('plain é');
  });
});

describe('lensRows', () => {
  it('gives the rows of the three lens tables, each with its partition', () => {
    const tables = lensRows(generateRelStream({ seed: 3, events: 300, worlds: 2, branches: 2 }));
    expect(tables.map((t) => t.table)).toEqual(['note', 'note_tag', 'link']);
    for (const t of tables) {
      expect(t.rows.length).toBeGreaterThan(0);
      for (const row of t.rows) expect(Object.keys(row).sort()).toEqual([...t.columns].sort());
    }
  });
});
