export * from './event.js';
export * from './event-schema.js';
