export { graphLens } from './graph-lens.js';
