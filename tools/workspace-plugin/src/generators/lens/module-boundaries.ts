import { logger, type Tree } from '@nx/devkit';

const ESLINT_CONFIG = 'eslint.config.mjs';
/** `{ sourceTag: 'lens:sem', onlyDependOnLibsWithTags: ['type:sdk', 'lens:sem'] },` on a line of its own. */
const LENS_CONSTRAINT =
  /^([ \t]*)\{\s*sourceTag:\s*(['"])lens:[a-z0-9-]+\2\s*,\s*onlyDependOnLibsWithTags:\s*\[[^\]\n]*\]\s*,?\s*\}(,?)[ \t]*$/gm;

/**
 * Adds the lens's line to the `@nx/enforce-module-boundaries` depConstraints: code tagged
 * `lens:<name>` (the lens and its app) may import only the SDK and that lens. The line goes after
 * the last lens line, in its indentation and quotes; the config is code, so when no such line is
 * found, nothing is changed and the line to add is printed instead.
 */
export function addModuleBoundary(tree: Tree, name: string): void {
  const wanted = (indent: string, q: string) =>
    `${indent}{ sourceTag: ${q}lens:${name}${q}, onlyDependOnLibsWithTags: [${q}type:sdk${q}, ${q}lens:${name}${q}] },`;
  if (!tree.exists(ESLINT_CONFIG)) {
    logger.warn(`No ${ESLINT_CONFIG} at the workspace root: add this module-boundary rule where the depConstraints are:\n${wanted('  ', "'")}`);
    return;
  }
  const text = tree.read(ESLINT_CONFIG, 'utf-8')!;
  if (new RegExp(`sourceTag:\\s*['"]lens:${name}['"]`).test(text)) return;
  const anchor = [...text.matchAll(LENS_CONSTRAINT)].at(-1);
  if (!anchor) {
    logger.warn(
      `${ESLINT_CONFIG}: found no depConstraint line for another lens to put lens:${name}'s after, so it is unchanged. ` +
        `Add this line to the depConstraints of @nx/enforce-module-boundaries:\n${wanted('  ', "'")}`,
    );
    return;
  }
  const [line, indent, quote, comma] = anchor;
  const replacement = `${comma ? line : `${line},`}\n${wanted(indent!, quote!)}`;
  tree.write(ESLINT_CONFIG, text.slice(0, anchor.index) + replacement + text.slice(anchor.index + line.length));
}
