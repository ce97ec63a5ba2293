import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { TallyError, validationError } from '../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new TallyError('invalid_encoding', 'The body contains bytes that are not valid UTF-8');
  }
}

/**
 * Where a NUL character sits in a parsed JSON value, as a JSON pointer, or null: PostgreSQL's text cannot
 * hold one, so a body with one is refused alike on every database instead of failing on one of them.
 */
function nulIn(value: unknown, at: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? at : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const path = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key.includes('\u0000')) return path;
    const found = nulIn(item, path);
    if (found !== null) return found;
  }
  return null;
}

/**
 * JSON bodies that refuse invalid UTF-8 instead of silently replacing it, and that drop
 * `__proto__`/`constructor` keys rather than letting them reach an object. The API takes nothing else.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  const parseJson = (
    _request: unknown,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ) => {
    try {
      const text = decodeUtf8(body as Buffer);
      if (text.trim() === '') return done(new TallyError('malformed_json', 'The body is empty'), undefined);
      const value = secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
      // Only the escape \u0000 can put a NUL in a parsed string: a raw one is no valid JSON.
      const nul = /\\u0000/i.test(text) ? nulIn(value, '') : null;
      if (nul !== null)
        return done(validationError(nul || '/', 'must not contain the NUL character (U+0000)'));
      done(null, value);
    } catch (error) {
      if (error instanceof TallyError) return done(error, undefined);
      done(
        new TallyError('malformed_json', `The body is not valid JSON: ${(error as Error).message}`),
        undefined,
      );
    }
  };
  app.removeContentTypeParser('application/json');
  // Fastify reads text/plain by default; nothing here takes text, so it is a 415 like any other type.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJson);
  app.addContentTypeParser(/^application\/[\w.+-]+\+json$/, { parseAs: 'buffer' }, parseJson);
}

/**
 * Form posts, for the pages that work without JavaScript. Registered only in their scope, so the JSON API
 * does not quietly accept forms too.
 */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (_request, body: string | Buffer, done) => {
      try {
        done(null, parseForm(decodeUtf8(body as Buffer)));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

/** A form body as an object; a name sent more than once (a multiple select) becomes an array. */
export function parseForm(text: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null);
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replaceAll('+', ' '));
      value = decodeURIComponent(rawValue.replaceAll('+', ' '));
    } catch {
      throw new TallyError('invalid_encoding', 'The form contains an escape that is not valid UTF-8');
    }
    const existing = form[name];
    if (existing === undefined) form[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else form[name] = [existing, value];
  }
  return form;
}
