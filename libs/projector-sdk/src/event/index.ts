export * from './event.js';
export * from './event-schema.js';
export * from './text-rules.js';
