export { defineLens, handler, setStatement, statement, type LensDefinition } from './define-lens.js';
export type { ColumnKind, EventContext, EventHandler, HandlerContext, Lens, Migration, PendingStatement, SetForm, SnapshotTable, Tx } from './lens-types.js';
