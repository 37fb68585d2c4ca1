import { getProjects, type Tree } from '@nx/devkit';

/** The same rule `defineLens` applies at start: the generator refuses what the SDK would. */
const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** PostgreSQL truncates identifiers at 63 bytes, and the schema is `lens_<name>`. */
const MAX_NAME_LENGTH = 63 - 'lens_'.length;

/** Every spelling of one lens name the generated files use. */
export interface LensNames {
  /** `full-text` */
  readonly name: string;
  /** `lens_full_text`: the lens's PostgreSQL schema. */
  readonly schema: string;
  /** `projector_full_text`: the name its watermarks are kept under. */
  readonly projectorName: string;
  /** `fullText`: the prefix of the lens's exported constants (`fullTextLens`). */
  readonly propertyName: string;
  /** `lens-full-text` and `libs/lens-full-text` */
  readonly libProject: string;
  readonly libRoot: string;
  /** `projector-full-text` and `apps/projector-full-text` */
  readonly appProject: string;
  readonly appRoot: string;
}

/** The names of a lens, or an error that says what a valid name looks like. */
export function lensNames(name: unknown): LensNames {
  if (typeof name !== 'string' || !KEBAB_CASE.test(name)) {
    throw new Error(
      `The lens name ${JSON.stringify(name)} is not kebab-case: use lowercase letters and digits, ` +
        'starting with a letter, in words joined by single hyphens (like "geo" or "full-text").',
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new Error(`The lens name "${name}" is ${name.length} characters long; schema lens_<name> allows at most ${MAX_NAME_LENGTH}.`);
  }
  const snake = name.replaceAll('-', '_');
  return {
    name,
    schema: `lens_${snake}`,
    projectorName: `projector_${snake}`,
    propertyName: name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
    libProject: `lens-${name}`,
    libRoot: `libs/lens-${name}`,
    appProject: `projector-${name}`,
    appRoot: `apps/projector-${name}`,
  };
}

/** Refuses a lens whose folders or project names are taken, before anything is written. */
export function assertLensIsNew(tree: Tree, names: LensNames): void {
  const projects = getProjects(tree);
  const folders = [names.libRoot, names.appRoot].filter((root) => tree.exists(root));
  const elsewhere = [names.libProject, names.appProject].filter((project) => {
    const root = projects.get(project)?.root;
    return root !== undefined && !folders.includes(root);
  });
  const taken = [...folders, ...elsewhere.map((project) => `project ${project} in ${projects.get(project)!.root}`)];
  if (taken.length > 0) {
    throw new Error(
      `A lens "${names.name}" exists already (${taken.join(', ')}). Choose another name, or remove what is there first.`,
    );
  }
}
