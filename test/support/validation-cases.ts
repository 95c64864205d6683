import type { DeclaredRoute } from '../../api/http/endpoint';
import { invalidInputs } from './invalid-inputs';
import type { Example, ExampleEntry } from './valid-examples';

export type QueryValues = Record<string, string | string[]>;

/** A JSON body, raw text (sent as JSON unless `contentType` says otherwise), or no body at all. */
export type SentBody = { json: unknown } | { raw: string; contentType?: string } | undefined;

/** One request with one thing wrong, and what its 400 must say. */
export interface BadRequest {
  name: string;
  params: Record<string, string>;
  query: QueryValues;
  body: SentBody;
  expects: Expected;
}

/** A 400 naming one of `fields`, or, where there are no fields to name, a status and error code. */
export type Expected = { fields: string[] } | { status: number; code: string };

/** Over the 1 MB that the API parses (FAQ imports need that much; nothing needs more). */
const oversized = JSON.stringify({ padding: 'x'.repeat(1_100_000) });

/** The valid example's body as sent: JSON, or the raw bytes of a route that takes another media type. */
export function validBody(route: DeclaredRoute, valid: Example): SentBody {
  if (valid.body === undefined) return undefined;
  if (route.rawBody && typeof valid.body === 'string') {
    return { raw: valid.body, contentType: route.rawBody.mediaType };
  }
  return { json: valid.body };
}

/** A route whose body is raw bytes (a MIME message): what its parser and handler refuse. */
function rawBodyCases(route: DeclaredRoute, entry: ExampleEntry, valid: Example): BadRequest[] {
  const refusals = entry.rawRefusals ?? {
    unreadable: { body: '\u0000\u0001 not a mail', status: 400, code: 'invalid_mail' },
    tooLargeBytes: 10_600_000,
  };
  const mediaType = route.rawBody?.mediaType ?? '';
  const params = valid.params ?? {};
  const query = valid.query ?? {};
  const of = (name: string, body: SentBody, expects: Expected): BadRequest => ({
    name: `body ${name}`,
    params,
    query,
    body,
    expects,
  });
  return [
    of('left out', undefined, { status: 400, code: 'body_required' }),
    of('empty', { raw: '', contentType: mediaType }, { status: 400, code: 'body_required' }),
    of(
      'that the route cannot read',
      { raw: refusals.unreadable.body, contentType: mediaType },
      { status: refusals.unreadable.status, code: refusals.unreadable.code },
    ),
    of(
      'sent as JSON',
      { raw: JSON.stringify({ text: 'hi' }), contentType: 'application/json' },
      { status: 415, code: 'unsupported_media_type' },
    ),
    of(
      'over the size limit',
      { raw: 'x'.repeat(refusals.tooLargeBytes), contentType: mediaType },
      { status: 413, code: 'payload_too_large' },
    ),
  ];
}

const strings = (input: unknown): Record<string, string> => input as Record<string, string>;
const queryValues = (input: unknown): QueryValues => input as QueryValues;

/**
 * Every bad request for a route: each bad path value, query value and body
 * derived from the route's schemas and its valid example (everything else
 * left valid), the example's cross-field cases, and bodies that are broken
 * JSON, not an object, or missing.
 */
export function badRequests(route: DeclaredRoute, entry: ExampleEntry, valid: Example) {
  const params = valid.params ?? {};
  const query = valid.query ?? {};
  const body: SentBody = validBody(route, valid);
  const out: BadRequest[] = [];
  if (route.rawBody) out.push(...rawBodyCases(route, entry, valid));
  if (route.params) {
    for (const c of invalidInputs(route.params, params, 'path')) {
      out.push({
        name: `path ${c.name}`,
        params: strings(c.input),
        query,
        body,
        expects: { fields: c.fields },
      });
    }
  }
  if (route.query) {
    for (const c of invalidInputs(route.query, query, 'query')) {
      out.push({
        name: `query ${c.name}`,
        params,
        query: queryValues(c.input),
        body,
        expects: { fields: c.fields },
      });
    }
  }
  if (route.body) {
    const withBody = (name: string, sent: SentBody, expects: Expected) =>
      out.push({ name: `body ${name}`, params, query, body: sent, expects });
    for (const c of invalidInputs(route.body, valid.body, 'json')) {
      withBody(c.name, { json: c.input }, { fields: c.fields });
    }
    for (const c of entry.alsoInvalid?.(valid) ?? []) {
      withBody(c.name, { json: c.body }, { fields: c.fields });
    }
    withBody('that is not JSON', { raw: '{"unfinished": ' }, { status: 400, code: 'invalid_json' });
    withBody('over the size limit', { raw: oversized }, { status: 413, code: 'payload_too_large' });
    withBody(
      'in a charset other than UTF-8',
      { raw: JSON.stringify(valid.body), contentType: 'application/json; charset=latin1' },
      { status: 415, code: 'unsupported_charset' },
    );
    withBody('that is a list, not an object', { json: [] }, { fields: ['(body)'] });
    withBody('left out', undefined, { status: 400, code: 'body_required' });
    withBody('empty (zero bytes of JSON)', { raw: '' }, { status: 400, code: 'body_required' });
    withBody(
      'sent as another media type',
      { raw: JSON.stringify(valid.body), contentType: 'text/plain' },
      { status: 415, code: 'unsupported_media_type' },
    );
  }
  return out;
}
