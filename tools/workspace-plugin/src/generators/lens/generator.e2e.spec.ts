import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The generator as someone runs it: `nx g` in a copy of this workspace, then the new projects' build,
 * typecheck, lint and test targets. The copy shares node_modules with the workspace through one
 * symlink per package, except `@projectors`, whose links point into the copy (npm's links would point
 * into the workspace, and `npm install` in the copy would write through the symlinks).
 * The tests use `TEST_DATABASE_URL` when it is set, like every other test.
 */
const repoRoot = resolve(import.meta.dirname, '../../../../..');
const LENS = 'e2e-probe';
/** What the copy leaves out: installs, build output, caches, local data, history. */
const SKIPPED_ANYWHERE = new Set(['node_modules', '.nx', 'dist', 'out-tsc', '.data', 'coverage', '.git']);
const SKIPPED_AT_ROOT = new Set(['tmp']);

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'lens-generator-e2e-'));
  await cp(repoRoot, workspace, {
    recursive: true,
    filter: (source) => {
      const path = relative(repoRoot, source);
      if (path === '') return true;
      const parts = path.split('/');
      return !parts.some((p) => SKIPPED_ANYWHERE.has(p)) && !SKIPPED_AT_ROOT.has(parts[0]!) && !path.endsWith('.tsbuildinfo');
    },
  });
  await linkNodeModules();
});

afterAll(async () => {
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

async function linkNodeModules(): Promise<void> {
  const shared = join(repoRoot, 'node_modules');
  const own = join(workspace, 'node_modules');
  await mkdir(join(own, '@projectors'), { recursive: true });
  for (const entry of await readdir(shared)) {
    // `.vite` is the test cache: the copy keeps its own.
    if (entry !== '@projectors' && entry !== '.vite') await symlink(join(shared, entry), join(own, entry));
  }
  for (const pkg of await readdir(join(shared, '@projectors'))) {
    await symlink(await readlink(join(shared, '@projectors', pkg)), join(own, '@projectors', pkg));
  }
}

/** Runs Nx in the copy; returns its output, or fails with it when the exit code is not the one expected. */
function nx(args: string[], expected: 'success' | 'failure' | 'either' = 'success'): string {
  const started = performance.now();
  const run = spawnSync(join(workspace, 'node_modules/.bin/nx'), args, {
    cwd: workspace,
    env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${run.stdout}${run.stderr}`;
  console.log(`[e2e] nx ${args.join(' ')}: exit ${run.status} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (expected !== 'either' && (run.status === 0) !== (expected === 'success')) {
    throw new Error(`nx ${args.join(' ')} exited ${run.status}${run.error ? ` (${run.error.message})` : ''}:\n${output}`);
  }
  return output;
}

const read = (path: string) => readFile(join(workspace, path), 'utf8');

describe(`nx g @projectors/workspace-plugin:lens ${LENS}, in a copy of the workspace`, () => {
  it('given --dry-run, when run, then it lists the files and writes none', async () => {
    const output = nx(['g', '@projectors/workspace-plugin:lens', LENS, '--dry-run', '--no-interactive']);
    expect(output).toContain(`CREATE libs/lens-${LENS}/src/${LENS}-lens.ts`);
    expect(output).toContain(`CREATE apps/projector-${LENS}/src/main.ts`);
    expect(output).toContain('UPDATE tsconfig.json');
    expect(await readdir(join(workspace, 'libs'))).not.toContain(`lens-${LENS}`);
  });

  it('given a name that is not kebab-case, when run, then it is refused with the reason', () => {
    expect(nx(['g', '@projectors/workspace-plugin:lens', 'Not_Kebab', '--no-interactive'], 'failure')).toContain('is not kebab-case');
  });

  it('given a new name, when run, then the lens and its app pass sync:check, build, typecheck, lint and test; run again, it is refused', async () => {
    nx(['g', '@projectors/workspace-plugin:lens', LENS, '--skipInstall', '--no-interactive']);
    // What the skipped `npm install` would have linked.
    for (const root of [`libs/lens-${LENS}`, `apps/projector-${LENS}`]) {
      await symlink(join('../..', root), join(workspace, 'node_modules/@projectors', basename(root)));
    }
    const tsconfig = await read('tsconfig.json');
    expect(JSON.parse(tsconfig).references).toEqual(
      expect.arrayContaining([{ path: `./libs/lens-${LENS}` }, { path: `./apps/projector-${LENS}` }]),
    );
    expect(await read('eslint.config.mjs')).toContain(`{ sourceTag: 'lens:${LENS}', onlyDependOnLibsWithTags: ['type:sdk', 'lens:${LENS}'] }`);

    // The new projects need no `nx sync`; the rest of the workspace is not this test's business.
    expect(nx(['sync:check'], 'either')).not.toContain(LENS);
    const output = nx(['run-many', '-t', 'build,typecheck,lint,test', '-p', `lens-${LENS},projector-${LENS}`, '--output-style=static', '--skip-sync']);
    expect(output).toContain('Successfully ran targets build, typecheck, lint, test for 2 projects');
    // The SDK's suites: the contract for the lens (its table rules included), the process for the app.
    expect(output).toMatch(new RegExp(`lens-${LENS}.*src/${LENS}-lens\\.int\\.spec\\.ts \\(\\d+ tests\\)`));
    expect(output).toMatch(new RegExp(`projector-${LENS}.*src/main\\.e2e\\.spec\\.ts \\(\\d+ tests\\)`));
    // And the proof that its set-based example kinds equal one-by-one application.
    expect(output).toMatch(new RegExp(`lens-${LENS}.*src/${LENS}-lens\\.equivalence\\.int\\.spec\\.ts \\(\\d+ tests?\\)`));

    expect(nx(['g', '@projectors/workspace-plugin:lens', LENS, '--no-interactive'], 'failure')).toContain(`A lens "${LENS}" exists already`);
    expect(await read('tsconfig.json')).toBe(tsconfig);
  });
});
