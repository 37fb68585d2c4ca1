import { addProjectConfiguration, logger, readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lensGenerator } from './generator.js';
import { dockerCompose, eslintConfig, rootTsconfig, seedWorkspace } from './workspace.fixture.js';

let tree: Tree;
let warn: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  seedWorkspace(tree);
  warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every file the generator created or changed, path to text. */
async function generated(name: string, options: { skipInstall?: boolean } = {}): Promise<Record<string, string>> {
  const before = new Map(tree.listChanges().map((c) => [c.path, c.content?.toString()]));
  await lensGenerator(tree, { name, skipInstall: true, ...options });
  const changed = tree.listChanges().filter((c) => before.get(c.path) !== c.content?.toString());
  return Object.fromEntries(changed.map((c) => [c.path, c.content?.toString() ?? '<deleted>']));
}

describe('lens generator', () => {
  it('given a new name, when run, then it writes the lens and its app in the shape of lens-sem and projector-sem', async () => {
    expect(await generated('full-text')).toMatchSnapshot();
    expect(warn).not.toHaveBeenCalled();
  });

  it('given a new name, when run, then the projects are tagged with their type and their lens', async () => {
    await generated('geo');
    expect(readJson(tree, 'libs/lens-geo/package.json').nx).toEqual({ name: 'lens-geo', tags: ['type:lens', 'lens:geo'] });
    expect(readJson(tree, 'apps/projector-geo/package.json').nx).toMatchObject({
      name: 'projector-geo',
      tags: ['type:app', 'lens:geo'],
      targets: {
        // Development runs: the embedded PostgreSQL unless PROJECTOR_DATABASE_URL names one (the built app needs one named).
        serve: { command: 'PROJECTOR_DATABASE_URL="${PROJECTOR_DATABASE_URL:-embedded}" node dist/main.js' },
        replay: { command: 'PROJECTOR_DATABASE_URL="${PROJECTOR_DATABASE_URL:-embedded}" node dist/replay.js' },
      },
    });
  });

  it('given the root tsconfig.json, when run, then the lens follows the libs and the app the apps, one line each', async () => {
    await generated('geo');
    const text = tree.read('tsconfig.json', 'utf-8')!;
    expect(readJson(tree, 'tsconfig.json').references.map((r: { path: string }) => r.path)).toEqual([
      './libs/projector-sdk',
      './libs/lens-rel',
      './libs/lens-sem',
      './libs/lens-geo',
      './apps/projector-rel',
      './apps/projector-sem',
      './apps/projector-geo',
      './tools/workspace-plugin',
    ]);
    expect(text).toContain('    { "path": "./libs/lens-geo" },\n');
    expect(text).toContain('    { "path": "./apps/projector-geo" },\n');
  });

  it('given the root tsconfig.json as nx sync writes it, when run, then the new references are written the same way', async () => {
    const references = ['./libs/lens-sem', './apps/projector-sem'];
    tree.write('tsconfig.json', `${JSON.stringify({ files: [], references: references.map((path) => ({ path })) }, null, 2)}\n`);
    await generated('geo');
    const expected = ['./libs/lens-sem', './libs/lens-geo', './apps/projector-sem', './apps/projector-geo'];
    expect(tree.read('tsconfig.json', 'utf-8')).toBe(`${JSON.stringify({ files: [], references: expected.map((path) => ({ path })) }, null, 2)}\n`);
  });

  it('given a root tsconfig.json written another way, when run, then the references are still added', async () => {
    tree.write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: './libs/lens-sem' }] }));
    await generated('geo');
    expect(readJson(tree, 'tsconfig.json').references).toEqual([{ path: './libs/lens-sem' }, { path: './libs/lens-geo' }, { path: './apps/projector-geo' }]);
  });

  it('given the module-boundary rules, when run, then the lens gets its own after the last lens rule', async () => {
    await generated('geo');
    expect(tree.read('eslint.config.mjs', 'utf-8')).toBe(
      eslintConfig.replace(
        "            { sourceTag: 'lens:sem', onlyDependOnLibsWithTags: ['type:sdk', 'lens:sem'] },\n",
        "            { sourceTag: 'lens:sem', onlyDependOnLibsWithTags: ['type:sdk', 'lens:sem'] },\n" +
          "            { sourceTag: 'lens:geo', onlyDependOnLibsWithTags: ['type:sdk', 'lens:geo'] },\n",
      ),
    );
  });

  it('given an eslint config without lens rules, when run, then it is left as it is and the rule to add is printed', async () => {
    const config = "export default [{ rules: { '@nx/enforce-module-boundaries': ['error', { depConstraints: [] }] } }];\n";
    tree.write('eslint.config.mjs', config);
    await generated('geo');
    expect(tree.read('eslint.config.mjs', 'utf-8')).toBe(config);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("{ sourceTag: 'lens:geo', onlyDependOnLibsWithTags: ['type:sdk', 'lens:geo'] },"));
  });

  it('given docker-compose.yml, when run, then a service like the last projector is added on the next host port', async () => {
    await generated('geo');
    const compose = tree.read('docker-compose.yml', 'utf-8')!;
    const semService = dockerCompose.slice(dockerCompose.indexOf('  projector-sem:'), dockerCompose.indexOf('\nvolumes:'));
    const geoService = semService.replaceAll('projector-sem', 'projector-geo').replace('"8002:8000"', '"8003:8000"');
    expect(compose).toBe(dockerCompose.replace('\nvolumes:', `\n${geoService}\nvolumes:`));
  });

  it('given no docker-compose.yml, when run, then the service is skipped with a warning and the rest is written', async () => {
    tree.delete('docker-compose.yml');
    const files = await generated('geo');
    expect(files['docker-compose.yml']).toBeUndefined();
    expect(files['apps/projector-geo/src/main.ts']).toBeDefined();
    expect(warn).toHaveBeenCalledWith('No docker-compose.yml at the workspace root: skipped the projector-geo service.');
  });

  it.each(['Geo', 'full_text', 'full--text', '-geo', 'geo-', '2d', 'géo', '', 'a'.repeat(59)])(
    'given the name %j, when run, then it is refused as not kebab-case (or too long) and nothing is written',
    async (name) => {
      await expect(generated(name)).rejects.toThrow(/is not kebab-case|characters long/);
      expect(tree.read('tsconfig.json', 'utf-8')).toBe(rootTsconfig);
      expect(tree.children('libs')).toEqual(['lens-sem']);
      expect(tree.children('apps')).toEqual(['projector-sem']);
    },
  );

  it('given a lens that exists, when run again, then it is refused and nothing is written', async () => {
    await expect(generated('sem')).rejects.toThrow('A lens "sem" exists already (libs/lens-sem, apps/projector-sem).');
    expect(tree.read('tsconfig.json', 'utf-8')).toBe(rootTsconfig);
    expect(tree.read('eslint.config.mjs', 'utf-8')).toBe(eslintConfig);
    expect(tree.read('docker-compose.yml', 'utf-8')).toBe(dockerCompose);
  });

  it('given a project elsewhere with the app name, when run, then it is refused and nothing is written', async () => {
    addProjectConfiguration(tree, 'projector-geo', { root: 'legacy/projector-geo' });
    await expect(generated('geo')).rejects.toThrow('A lens "geo" exists already (project projector-geo in legacy/projector-geo).');
    expect(tree.exists('libs/lens-geo')).toBe(false);
  });

  it('given no --skipInstall, when run, then it returns the npm install that links the new packages', async () => {
    const task = await lensGenerator(tree, { name: 'geo' });
    expect(task).toBeTypeOf('function');
    expect(await lensGenerator(createTreeWithEmptyWorkspace(), { name: 'geo', skipInstall: true })).toBeUndefined();
  });
});
