import { logger, parseJson, updateJson, type Tree } from '@nx/devkit';

const ROOT_TSCONFIG = 'tsconfig.json';
/**
 * A reference on lines of its own, `{ "path": "./libs/lens-sem" },` on one line as written by hand, or
 * over three as `nx sync` writes them.
 */
const REFERENCE = /^[ \t]*\{\s*"path"\s*:\s*"([^"]+)"\s*\}(,?)[ \t]*$/gm;

interface TsconfigWithReferences {
  references?: { path: string }[];
}

/**
 * Adds the new projects to the root tsconfig.json references, which is what `nx sync` would do for
 * them. Nx appends; here each goes after the last reference in its own folder, written like that
 * one, so libs stay with libs and apps with apps. A file of another shape gets `updateJson`.
 */
export function addRootReferences(tree: Tree, projectRoots: readonly string[]): void {
  if (!tree.exists(ROOT_TSCONFIG)) {
    logger.warn(`No ${ROOT_TSCONFIG} at the workspace root: run nx sync to reference ${projectRoots.join(' and ')}.`);
    return;
  }
  for (const root of projectRoots) {
    const text = tree.read(ROOT_TSCONFIG, 'utf-8')!;
    const before = referencePaths(text);
    if (before.includes(root)) continue;
    const edited = insertReference(text, root);
    if (edited !== null && sameWithOneMore(before, edited, root)) {
      tree.write(ROOT_TSCONFIG, edited);
    } else {
      updateJson<TsconfigWithReferences>(tree, ROOT_TSCONFIG, (json) => ({
        ...json,
        references: [...(json.references ?? []), { path: `./${root}` }],
      }));
    }
  }
}

/** The text with a reference to `<root>` after the last reference of the same folder, or null. */
export function insertReference(text: string, root: string): string | null {
  const references = [...text.matchAll(REFERENCE)];
  const folder = root.split('/')[0];
  const anchor = references.findLast((m) => normalize(m[1]!).split('/')[0] === folder) ?? references.at(-1);
  if (!anchor) return null;
  const [match, path, comma] = anchor;
  const copy = (comma ? match.slice(0, match.lastIndexOf(',')) : match).replace(`"${path}"`, `"./${root}"`);
  const replacement = comma ? `${match}\n${copy},` : `${match},\n${copy}`;
  return text.slice(0, anchor.index) + replacement + text.slice(anchor.index + match.length);
}

function referencePaths(text: string): string[] {
  return (parseJson<TsconfigWithReferences>(text).references ?? []).map((ref) => normalize(ref.path));
}

/** `./libs/lens-sem/tsconfig.json`, `libs/lens-sem/` and `./libs/lens-sem` are one reference. */
function normalize(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/tsconfig\.json$/, '').replace(/\/$/, '');
}

/** Whether the edited text still parses, to the same references plus the added one. */
function sameWithOneMore(before: string[], edited: string, added: string): boolean {
  let after: string[];
  try {
    after = referencePaths(edited);
  } catch {
    return false;
  }
  return after.filter((p) => p === added).length === 1 && after.filter((p) => p !== added).join('\n') === before.join('\n');
}
