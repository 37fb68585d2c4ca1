import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProjectorError } from '../errors/projector-error.js';

// Digests have one length whatever the token's, so the comparison leaks neither content nor length.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** An onRequest hook that lets a request through only with `Authorization: Bearer <token>`. */
export function bearerAuth(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) throw new ProjectorError('unauthorized');
  };
}
