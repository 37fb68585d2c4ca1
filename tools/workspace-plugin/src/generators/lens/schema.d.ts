export interface LensGeneratorSchema {
  /** Kebab-case: `geo` gives libs/lens-geo, apps/projector-geo and schema lens_geo. */
  name: string;
  /** Skip the `npm install` that links the new workspace packages. */
  skipInstall?: boolean;
}
