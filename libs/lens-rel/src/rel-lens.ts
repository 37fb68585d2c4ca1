import { defineLens } from '@projectors/projector-sdk';
import { linkAdded, linkRemoved } from './handlers/link-handlers.js';
import { noteCreated, noteDeleted, noteUpdated } from './handlers/note-handlers.js';
import { tagAdded, tagRemoved } from './handlers/tag-handlers.js';
import { createTables } from './migrations/0001-create-tables.js';
import { relSnapshot } from './snapshot.js';

/** The relational lens: notes, their tags and the links between them, in schema `lens_rel`. */
export const relLens = defineLens({
  name: 'rel',
  projectorName: 'projector_rel',
  migrations: [createTables],
  handlers: {
    'note.created': noteCreated,
    'note.updated': noteUpdated,
    'note.deleted': noteDeleted,
    'tag.added': tagAdded,
    'tag.removed': tagRemoved,
    'link.added': linkAdded,
    'link.removed': linkRemoved,
  },
  snapshot: relSnapshot,
});
