export { semLens } from './sem-lens.js';
