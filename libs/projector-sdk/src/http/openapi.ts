import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Lens } from '../lens/lens-types.js';

/**
 * The HTTP contract documented from the code: the same zod schemas that validate requests make the
 * OpenAPI document (`GET /openapi.json`) and the browsable docs (`GET /docs`, assets served locally).
 */
export async function registerOpenApi(app: FastifyInstance, lens: Lens): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: `${lens.serviceName}`,
        description: `Projector of the ${lens.name} lens. See docs/contract.md for the meaning of every answer.`,
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
