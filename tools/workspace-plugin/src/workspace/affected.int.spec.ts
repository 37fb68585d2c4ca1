import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Nx builds only what a change affects: the project graph must keep a lens and its app apart from
 * the other lenses, and make everything depend on the SDK. Asked of Nx itself, as CI would ask it.
 */
const root = path.resolve(import.meta.dirname, '../../../..');

function affectedBy(file: string): string[] {
  const out = execFileSync(path.join(root, 'node_modules/.bin/nx'), ['show', 'projects', '--affected', `--files=${file}`], {
    cwd: root,
    env: { ...process.env, NX_ISOLATE_PLUGINS: 'false', NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    encoding: 'utf8',
  });
  return out.split('\n').map((l) => l.trim()).filter(Boolean).sort();
}

describe('affected projects', () => {
  it('a change in libs/lens-sem alone affects lens-sem and projector-sem only', () => {
    expect(affectedBy('libs/lens-sem/src/sem-lens.ts')).toEqual(['lens-sem', 'projector-sem']);
  }, 60_000);

  it('a change in the SDK affects every lens, every app and the tools built on it', () => {
    const affected = affectedBy('libs/projector-sdk/src/index.ts');
    for (const project of ['projector-sdk', 'lens-rel', 'lens-sem', 'lens-graph', 'projector-rel', 'projector-sem', 'projector-graph']) {
      expect(affected, project).toContain(project);
    }
  }, 60_000);
});
