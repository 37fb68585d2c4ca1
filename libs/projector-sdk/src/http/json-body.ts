import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProjectorError } from '../errors/projector-error.js';
import { JsonSyntaxError, parseJsonBody, type JsonTree } from '../hash/index.js';

const losslessBodies = new WeakMap<FastifyRequest, JsonTree>();

/**
 * Replaces Fastify's JSON parser: the body is parsed once into two views, the plain value that
 * zod validates and the lossless tree the payload hash is computed from (number lexemes kept).
 * A syntax error comes out as the contract's `invalid_event`, like any other bad body.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      const { lossless, plain } = parseJsonBody(body as string);
      losslessBodies.set(request, lossless);
      done(null, plain);
    } catch (err) {
      const message = err instanceof JsonSyntaxError ? `body is not valid JSON: ${err.message}` : 'body is not valid JSON';
      done(new ProjectorError('invalid_event', message, { details: { issues: [] } }), undefined);
    }
  });
}

/** The lossless tree of the request's body (present for every JSON body that parsed). */
export function losslessBody(request: FastifyRequest): JsonTree | undefined {
  return losslessBodies.get(request);
}

/** Follows object keys and array indexes through a lossless tree. */
export function treeAt(tree: JsonTree | undefined, ...path: (string | number)[]): JsonTree | undefined {
  let node = tree;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    if (node.kind === 'object' && typeof step === 'string') node = node.entries.get(step);
    else if (node.kind === 'array' && typeof step === 'number') node = node.items[step];
    else return undefined;
  }
  return node;
}
