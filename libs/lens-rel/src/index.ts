/** @projectors/lens-rel: the relational lens, ready for `runProjector(relLens, process.env)`. */
export { relLens } from './rel-lens.js';
export {
  noteCreatedPayload,
  noteDeletedPayload,
  noteUpdatedPayload,
  type NoteCreatedPayload,
  type NoteDeletedPayload,
  type NoteUpdatedPayload,
} from './handlers/note-handlers.js';
export { tagAddedPayload, tagRemovedPayload, type TagAddedPayload, type TagRemovedPayload } from './handlers/tag-handlers.js';
export { linkAddedPayload, linkRemovedPayload, type LinkAddedPayload, type LinkRemovedPayload } from './handlers/link-handlers.js';
