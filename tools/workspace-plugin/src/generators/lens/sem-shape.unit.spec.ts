import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { logger, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { lensGenerator } from './generator.js';

/**
 * The templates are lens-sem and projector-sem with the name taken out. Generating "sem" must give
 * back this workspace's own files, so a change to the models (a new target, a reference, a vitest
 * option, a test suite) that the templates miss fails here. What differs by design is left out: the
 * lens's table and migrations, its README and its schema test, and the package descriptions.
 */
const repoRoot = resolve(import.meta.dirname, '../../../../..');
const SAME_TEXT = [
  'libs/lens-sem/eslint.config.mjs',
  'libs/lens-sem/tsconfig.json',
  'libs/lens-sem/tsconfig.lib.json',
  'libs/lens-sem/tsconfig.spec.json',
  'libs/lens-sem/vitest.config.ts',
  'libs/lens-sem/src/index.ts',
  'libs/lens-sem/src/sem-lens.int.spec.ts',
  'apps/projector-sem/eslint.config.mjs',
  'apps/projector-sem/tsconfig.json',
  'apps/projector-sem/tsconfig.app.json',
  'apps/projector-sem/tsconfig.spec.json',
  'apps/projector-sem/vitest.config.ts',
  'apps/projector-sem/src/main.ts',
  'apps/projector-sem/src/replay.ts',
  'apps/projector-sem/src/rebuild.ts',
  'apps/projector-sem/src/partitions.ts',
  'apps/projector-sem/src/main.e2e.spec.ts',
];
const SAME_BUT_DESCRIPTION = ['libs/lens-sem/package.json', 'apps/projector-sem/package.json'];

const withoutDescription = (text: string) => ({ ...JSON.parse(text), description: undefined });

describe('the templates, given the name "sem"', () => {
  let tree: Tree;

  beforeAll(async () => {
    tree = createTreeWithEmptyWorkspace();
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    await lensGenerator(tree, { name: 'sem', skipInstall: true });
    vi.restoreAllMocks();
  });

  it.each(SAME_TEXT)('give %s as it is in the workspace', (path) => {
    expect(tree.read(path, 'utf-8')).toBe(readFileSync(join(repoRoot, path), 'utf-8'));
  });

  it.each(SAME_BUT_DESCRIPTION)('give %s as it is in the workspace, but for its description', (path) => {
    expect(withoutDescription(tree.read(path, 'utf-8')!)).toEqual(withoutDescription(readFileSync(join(repoRoot, path), 'utf-8')));
  });
});
