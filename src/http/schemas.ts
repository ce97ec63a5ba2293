import { Type } from 'typebox';
import { errorCatalog } from '../errors.js';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Union(Object.keys(errorCatalog).map((code) => Type.Literal(code))),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details with a stable `code`' },
);

export const problemResponses = {
  '4xx': Type.Ref('Problem'),
  '5xx': Type.Ref('Problem'),
};

export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC' });
export const Id = Type.String({ minLength: 1, maxLength: 64 });
