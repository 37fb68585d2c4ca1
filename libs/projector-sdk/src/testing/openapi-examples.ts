import type { Projector } from '../server/create-projector.js';

/** One request-body example of the OpenAPI document and the operation it is shown on. */
export interface DocumentedExample {
  readonly method: string;
  readonly url: string;
  readonly name: string;
  readonly body: unknown;
}

interface Media {
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

/** Every request-body example of the projector's `GET /openapi.json`, in document order. */
export async function documentedExamples(projector: Projector): Promise<DocumentedExample[]> {
  const doc = (await projector.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, Media> } }>>;
  };
  const found: DocumentedExample[] = [];
  for (const [url, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const media of Object.values(operation.requestBody?.content ?? {})) {
        if (media.example !== undefined) found.push({ method, url, name: 'example', body: media.example });
        for (const [name, example] of Object.entries(media.examples ?? {})) found.push({ method, url, name, body: example.value });
      }
    }
  }
  return found;
}

/**
 * Posts every example of the document as it stands (with the token, when one is configured) and
 * gives each answer: a document a publisher can trust has each one answered `processed` (`ignored`
 * for a lens without handlers yet).
 */
export async function postDocumentedExamples(projector: Projector, token?: string) {
  const answers: { example: DocumentedExample; status: number; body: unknown }[] = [];
  for (const example of await documentedExamples(projector)) {
    const res = await projector.app.inject({
      method: example.method.toUpperCase() as 'POST',
      url: example.url,
      payload: JSON.stringify(example.body),
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    });
    answers.push({ example, status: res.statusCode, body: res.json() });
  }
  return answers;
}
