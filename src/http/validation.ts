import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../errors.js';

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    // Unknown properties and filters are errors, never silently dropped.
    removeAdditional: false,
    useDefaults: true,
    // Query strings and path parameters are text and need coercing; JSON bodies must carry the right types.
    coerceTypes: coerce ? 'array' : false,
    strict: false,
  });
  // ajv-formats is CommonJS: under Node's ESM loader its plugin sits on `.default`.
  (addFormats as unknown as { default: (ajv: Ajv) => void }).default(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);

const partNames: Record<string, string> = { querystring: 'query', params: 'path', headers: 'header' };

/**
 * Turns Ajv's errors into the `errors` list of a problem: which field, what is wrong with it.
 * Body fields are JSON pointers (`/location/lat`); others name their part (`query/limit`, `path/id`).
 */
export function fieldErrors(errors: ErrorObject[], context: string): FieldError[] {
  const prefix = context === 'body' ? '' : (partNames[context] ?? context);
  const at = (pointer: string) => (prefix ? `${prefix}${pointer}` : pointer || '/');
  // A failed union (`location` is an object or null) also reports "must be null" and "must match a
  // schema in anyOf"; the errors inside the object branch say what is actually wrong.
  const useful = errors.filter(
    (error) =>
      error.keyword !== 'anyOf' &&
      !(
        error.keyword === 'type' &&
        (error.params as { type?: string }).type === 'null' &&
        errors.some(
          (other) =>
            other !== error && other.keyword !== 'anyOf' && other.instancePath.startsWith(error.instancePath),
        )
      ),
  );
  return (useful.length > 0 ? useful : errors).map((error) => {
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'additionalProperties') {
      return {
        field: at(`${error.instancePath}/${String(params.additionalProperty)}`),
        message: 'is not a known field',
      };
    }
    if (error.keyword === 'required') {
      return { field: at(`${error.instancePath}/${String(params.missingProperty)}`), message: 'is required' };
    }
    return { field: at(error.instancePath), message: error.message ?? 'is not valid' };
  });
}
