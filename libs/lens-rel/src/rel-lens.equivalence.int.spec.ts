import { describeSetBasedEquivalence } from '@projectors/projector-sdk/testing';
import { relLens } from './rel-lens.js';
import { generateRelStream } from './testing/index.js';

describeSetBasedEquivalence(relLens, {
  // 5 worlds x 2 branches of realistic chains: creates, updates, deletes and recreates of one note,
  // tags and links between notes of the partition (and of notes that do not exist).
  stream: (seed, startSeq) => generateRelStream({ seed, events: 600, worlds: 5, branches: 2, startSeq }),
});
