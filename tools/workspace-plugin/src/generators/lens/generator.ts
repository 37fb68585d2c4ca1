import { type Tree, logger } from '@nx/devkit';
import { helper } from './helper.js';

interface S { name: string }
export async function lensGenerator(tree: Tree, options: S): Promise<void> {
  logger.info(`dirname ${import.meta.dirname} url ${import.meta.url} ${helper()}`);
  tree.write(`tmp-${options.name}.txt`, 'x');
}
export default lensGenerator;
