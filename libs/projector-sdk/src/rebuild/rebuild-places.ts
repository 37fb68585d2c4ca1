import { lensIn } from '../lens/lens-in.js';
import type { Lens } from '../lens/lens-types.js';

/** The copy a rebuild writes: `lens_rel__build`, its watermarks under `projector_rel__build`. */
export const buildLensOf = (lens: Lens): Lens =>
  lensIn(lens, { schema: `${lens.schema}__build`, projectorName: `${lens.projectorName}__build` });

/** Where the live tables go at a cutover, kept until an operator drops them. */
export const previousSchemaOf = (lens: Lens): string => `${lens.schema}__previous`;
