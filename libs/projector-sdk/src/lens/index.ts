export { defineLens, handler, statement, type LensDefinition } from './define-lens.js';
export type { ColumnKind, EventHandler, HandlerContext, Lens, Migration, PendingStatement, SnapshotTable, Tx } from './lens-types.js';
