import { identifier, ProjectorError } from '@projectors/projector-sdk';
import { z } from 'zod';

/**
 * An RFC 3339 time with its offset (`Z` or `±hh:mm`). Without an offset PostgreSQL would read it in
 * the server's TimeZone, and words like `now` or `today` would bring in its clock: two projectors
 * could then disagree on the same event.
 */
export const rfc3339 = z.iso.datetime({ offset: true });

/** A time the payload may give; `null` counts as not given. */
export const optionalTime = rfc3339.nullish();

/**
 * A non-empty id of a note, a tag or a link type, at most 256 bytes (the SDK's `identifier()`): a
 * link's primary key holds three of them, and the whole key must fit a btree entry.
 */
export const id = identifier();

/**
 * The time a row gets: the payload's, else the event's `occurred_at`, else null. Never the clock.
 * The SDK takes any non-empty `occurred_at`, so it is checked here, where it is about to be used.
 * In SQL it is written `${time}::text::timestamptz`: PostgreSQL reads it from the text, where a
 * parameter typed timestamptz would go through a JavaScript Date (postgres.js) and lose microseconds.
 */
export function eventTime(given: string | null | undefined, occurredAt: string | null): string | null {
  if (given != null) return given;
  if (occurredAt === null) return null;
  const parsed = rfc3339.safeParse(occurredAt);
  if (!parsed.success) {
    throw new ProjectorError('invalid_payload', 'envelope.occurred_at is not an RFC 3339 time with an offset', {
      details: { issues: parsed.error.issues.map((issue) => ({ ...issue, path: ['envelope', 'occurred_at'] })) },
    });
  }
  return occurredAt;
}
