import { join } from 'node:path';
import { generateFiles, installPackagesTask, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { addComposeService } from './docker-compose.js';
import { assertLensIsNew, lensNames } from './lens-names.js';
import { addModuleBoundary } from './module-boundaries.js';
import { addRootReferences } from './root-tsconfig.js';
import type { LensGeneratorSchema } from './schema.js';

const FILES = join(import.meta.dirname, 'files');

/**
 * `nx g @projectors/workspace-plugin:lens <name>`: libs/lens-<name> and apps/projector-<name> in the
 * shape of lens-sem and projector-sem, and the workspace files that must know about them. Every check
 * runs before the first write, and Nx writes nothing when a generator throws.
 */
export async function lensGenerator(tree: Tree, options: LensGeneratorSchema): Promise<GeneratorCallback | undefined> {
  const names = lensNames(options.name);
  assertLensIsNew(tree, names);

  generateFiles(tree, join(FILES, 'lib'), names.libRoot, names);
  generateFiles(tree, join(FILES, 'app'), names.appRoot, names);
  addRootReferences(tree, [names.libRoot, names.appRoot]);
  addModuleBoundary(tree, names.name);
  addComposeService(tree, names);

  logger.info(`Next: the first handler of the ${names.name} lens, as ${names.libRoot}/README.md says.`);
  if (options.skipInstall) return undefined;
  // npm links the two new workspace packages into node_modules, so the app can import its lens.
  return () => installPackagesTask(tree, true);
}

export default lensGenerator;
