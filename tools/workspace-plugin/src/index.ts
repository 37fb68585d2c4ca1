export { lensGenerator } from './generators/lens/generator.js';
export type { LensGeneratorSchema } from './generators/lens/schema.js';
