/** A JSON schema as zod's `openapi-3.0` target writes it: only the keywords an example needs. */
export interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  [keyword: string]: unknown;
}

// Fixed values, so the document (and each example's payload_hash) is the same on every start.
const FORMATS: Record<string, string> = {
  'date-time': '2026-11-01T10:00:00Z',
  date: '2026-11-01',
  uuid: '0b5ad9a4-7e0f-4c35-9a43-2f5b6b0d8c11',
  email: 'someone@example.com',
  uri: 'https://example.com/',
};

/**
 * A value that fits `schema`, for the OpenAPI examples: the author's own example when the schema
 * has one, else one made up from the types (every property filled in, so the example shows them
 * all). Patterns are not solved: the caller checks the value against the zod schema it came from.
 */
export function exampleValue(schema: JsonSchema, name = 'value'): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const branch = schema.anyOf?.[0] ?? schema.oneOf?.[0] ?? schema.allOf?.[0];
  if (branch) return exampleValue(branch, name);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, exampleValue(property, key)]));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => exampleValue(schema.items ?? {}, name));
    case 'integer':
    case 'number':
      return Math.min(Math.max(1, schema.minimum ?? 1), schema.maximum ?? 1);
    case 'boolean':
      return true;
    case 'string': {
      const text = (schema.format && FORMATS[schema.format]) ?? `${name.replace(/_id$/, '')}-1`;
      return text.padEnd(schema.minLength ?? 0, '-');
    }
    default:
      return null;
  }
}
