import { describe, expect, it } from 'vitest';
import { maskDatabaseUrl } from './mask-url.js';

describe('maskDatabaseUrl', () => {
  it.each([
    ['postgres://u:hunter2@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgres://u@h/db?password=hunter2&sslmode=require', 'postgres://u@h/db?password=***&sslmode=require'],
    ['postgres://u:hunter2@h/db?PASSWORD=x&password=hunter2', 'postgres://u:***@h/db?PASSWORD=x&password=***'],
    // Not a URL the URL class takes (two hosts): the fallback masks both places too.
    ['postgres://u:hunter2@h1:5432,h2:5432/db?password=hunter2', 'postgres://u:***@h1:5432,h2:5432/db?password=***'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
  ])('%s', (url, masked) => {
    expect(maskDatabaseUrl(url)).toBe(masked);
    expect(maskDatabaseUrl(url)).not.toContain('hunter2');
  });
});
