import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProjectorError } from '../errors/projector-error.js';
import { JsonSyntaxError, parseJsonBody, type JsonTree } from '../hash/index.js';

const losslessBodies = new WeakMap<FastifyRequest, JsonTree>();

const invalidEvent = (message: string) => new ProjectorError('invalid_event', message, { details: { issues: [] } });

// Strict: a byte sequence that is not UTF-8 (\xff, overlong, CESU-8 surrogates, truncated) throws
// instead of becoming U+FFFD, so what is hashed and stored is what the publisher sent.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The `charset` parameter of a content type, lower case and unquoted, if there is one. */
function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  return match?.[2]?.toLowerCase();
}

/**
 * Replaces Fastify's JSON parser: the body is decoded as strict UTF-8 (another declared charset is
 * a 415) and parsed once into two views, the plain value that zod validates and the lossless tree
 * the payload hash is computed from (number lexemes kept). Bad bytes or a syntax error come out as
 * the contract's `invalid_event`, like any other bad body.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  // Fastify's text/plain parser would hand a string to the schema; without it, text/plain is refused as a media type.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ProjectorError('unsupported_media_type', `charset=${charset.slice(0, 40)} is not accepted: send application/json in UTF-8`), undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(invalidEvent('body is not valid UTF-8'), undefined);
      return;
    }
    try {
      const { lossless, plain } = parseJsonBody(text);
      losslessBodies.set(request, lossless);
      done(null, plain);
    } catch (err) {
      done(invalidEvent(err instanceof JsonSyntaxError ? `body is not valid JSON: ${err.message}` : 'body is not valid JSON'), undefined);
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
