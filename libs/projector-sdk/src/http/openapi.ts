import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { OpenAPIV3 } from 'openapi-types';
import { z } from 'zod';
import { eventBodySchema } from '../event/event-schema.js';
import type { Lens } from '../lens/lens-types.js';
import type { JsonSchema } from './openapi-example.js';
import { batchExamples, examplePayloads, lensEventSchema, singleEventExamples, type ToOpenApiSchema } from './openapi-lens-events.js';

// The routes validate with the generic event schema (so a bad payload is the applier's
// invalid_payload, not a shape error); registered under an id, every place it appears in the
// document is a $ref, which this file then points at the lens's own, per-kind schema.
const EVENT_ID = 'Event';
if (!z.globalRegistry.has(eventBodySchema)) z.globalRegistry.add(eventBodySchema, { id: EVENT_ID });
/** fastify-type-provider-zod names a request schema's component `<id>Input`. */
const EVENT_COMPONENT = `${EVENT_ID}Input`;
const EVENT_REF = `#/components/schemas/${EVENT_COMPONENT}`;

// As a route schema gives a header: @fastify/swagger moves the description out of the schema.
const RETRY_AFTER = { type: 'integer', minimum: 1, description: 'With error unavailable: seconds to wait before trying again.' };

type Document = OpenAPIV3.Document;
type Operation = OpenAPIV3.OperationObject;

const operations = (doc: Document): Operation[] =>
  Object.values(doc.paths).flatMap((item) =>
    Object.values(OpenAPIV3.HttpMethods).flatMap((method) => (item?.[method] ? [item[method]] : [])),
  );

/** Every 503 of the contract may carry Retry-After (the error handler's and /ready's do). */
const withRetryAfter: SwaggerTransform = (route) => {
  const { schema, url } = jsonSchemaTransform(route);
  const response = schema.response as Record<string, { headers?: object }> | undefined;
  if (response?.['503']) response['503'] = { ...response['503'], headers: { 'Retry-After': RETRY_AFTER } };
  return { schema, url };
};

/** The body schema of an operation, when it is JSON. */
const bodySchema = (operation: Operation) =>
  (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content['application/json'];

/** Puts the lens's event schema in place of the generic one and the examples beside its uses. */
function documentLens(doc: Document, lens: Lens): Document {
  const toOpenApi: ToOpenApiSchema = (schema) =>
    jsonSchemaTransform({ schema: { body: schema }, url: '/', route: {} as never, openapiObject: doc }).schema.body as JsonSchema;
  const payloads = examplePayloads(lens, toOpenApi);
  for (const operation of operations(doc)) {
    const media = bodySchema(operation);
    const schema = media?.schema as (OpenAPIV3.SchemaObject & OpenAPIV3.ReferenceObject) | undefined;
    if (!media || !schema) continue;
    if (schema.$ref === EVENT_REF) media.examples = singleEventExamples(lens, payloads);
    const items = (schema.properties?.['events'] as OpenAPIV3.ArraySchemaObject | undefined)?.items as OpenAPIV3.ReferenceObject | undefined;
    if (items?.$ref === EVENT_REF) media.examples = batchExamples(lens, payloads);
  }
  const { securitySchemes, ...components } = doc.components ?? {};
  const schemas = { ...components.schemas, [EVENT_COMPONENT]: lensEventSchema(lens, toOpenApi) as OpenAPIV3.SchemaObject };
  // The bearer scheme stays only when an operation needs it, that is when a token is configured.
  const secured = operations(doc).some((operation) => operation.security?.length);
  return { ...doc, components: { ...components, schemas, ...(secured && { securitySchemes }) } };
}

/**
 * The HTTP contract documented from the code: the same zod schemas that validate requests make the
 * OpenAPI document (`GET /openapi.json`) and the browsable docs (`GET /docs`, assets served locally).
 * It describes this projector as configured: the bearer requirement and the 401 when a token is
 * set, the 409 under the reject gap policy, and the lens's own payload schema for each kind.
 */
export async function registerOpenApi(app: FastifyInstance, lens: Lens): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: `${lens.serviceName}`,
        description: [
          `Projector of the ${lens.name} lens. See docs/contract.md for the meaning of every answer.`,
          'This document describes this projector as it is configured: the write routes require a bearer token',
          '(and can answer 401) only when PROJECTOR_AUTH_TOKEN is set, and answer 409 only when',
          'PROJECTOR_GAP_POLICY is reject. Each example posts as it is and is answered processed the first time',
          '(ignored, for a lens without handlers yet), duplicate after.',
        ].join(' '),
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: withRetryAfter,
    transformObject: (documentObject) => documentLens(jsonSchemaTransformObject(documentObject) as Document, lens),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
