export { defineLens, handler, setStatement, statement, type LensDefinition } from './define-lens.js';
export { lensIn, type LensPlace } from './lens-in.js';
export type { ColumnKind, EventContext, EventHandler, HandlerContext, Lens, Migration, PendingStatement, SetForm, SnapshotTable, TableRef, Tables, Tx } from './lens-types.js';
