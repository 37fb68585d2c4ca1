export { errorCatalogue, type ErrorCode } from './catalogue.js';
export { ProjectorError, isProjectorError, type ErrorDetails } from './projector-error.js';
