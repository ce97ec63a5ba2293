import { Type } from 'typebox';
import { Id, Timestamp } from '../http/schemas.js';
import { verdicts } from '../votes/vote.js';
import { reportStatuses, sensitivities, verificationStates } from './report.js';

export const literalUnion = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const LocationInput = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS 84 latitude' }),
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'WGS 84 longitude' }),
    accuracy_m: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1e7 }), Type.Null()])),
    name: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  },
  { additionalProperties: false },
);

const FieldValue = Type.Union([
  Type.String({ maxLength: 10_000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 100 }),
  Type.Null(),
]);

const Fields = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }), FieldValue, {
  maxProperties: 200,
  additionalProperties: false,
});

/** What a reporter may say and a volunteer may later correct. */
const editableFields = {
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  location: Type.Optional(Type.Union([LocationInput, Type.Null()])),
  location_name: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  occurred_at: Type.Optional(Timestamp),
  categories: Type.Optional(Type.Array(Id, { maxItems: 50 })),
  fields: Type.Optional(Fields),
  author_name: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Null()])),
  // Spelled out rather than mapped from `sensitivities`, so that the body's type names the two values.
  sensitivity: Type.Optional(Type.Union([Type.Literal('exact'), Type.Literal('coarse')])),
};

const Title = Type.String({ minLength: 1, maxLength: 300 });

export const NewReportBody = Type.Object(
  {
    title: Title,
    survey_id: Type.Optional(Id),
    contact: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
    ...editableFields,
  },
  { additionalProperties: false },
);

/** A report made from a message: everything the new-report body takes, and nothing required (it is pre-filled). */
export const ReportFromMessageBody = Type.Object(
  {
    title: Type.Optional(Title),
    survey_id: Type.Optional(Id),
    ...editableFields,
  },
  { additionalProperties: false },
);

export const ReportPatchBody = Type.Object(
  {
    title: Type.Optional(Title),
    ...editableFields,
    status: Type.Optional(literalUnion(reportStatuses.filter((s) => s !== 'pending'))),
    expected_revision: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Refuse the edit (409) if the report moved past this revision',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Report = Type.Object(
  {
    id: Type.String(),
    survey_id: Type.String(),
    title: Type.String(),
    description: Type.String(),
    location: Type.Union([
      Type.Object({
        lat: Type.Number(),
        lon: Type.Number(),
        accuracy_m: Type.Union([Type.Number(), Type.Null()]),
      }),
      Type.Null(),
    ]),
    location_name: Type.Union([Type.String(), Type.Null()]),
    occurred_at: Timestamp,
    received_at: Timestamp,
    updated_at: Timestamp,
    published_at: Type.Union([Timestamp, Type.Null()]),
    published_by: Type.Union([Type.String(), Type.Null()], {
      description: 'Who made it public: the pseudonymous id the public record uses',
    }),
    status: literalUnion(reportStatuses),
    verification: literalUnion(verificationStates),
    sensitivity: literalUnion(sensitivities),
    author_name: Type.Union([Type.String(), Type.Null()]),
    source: Type.String(),
    revision: Type.Integer(),
    categories: Type.Array(Type.String()),
    fields: Type.Record(Type.String(), FieldValue),
    votes: Type.Array(
      Type.Object({
        voter: Type.String({ description: 'The pseudonymous id the public record uses' }),
        verdict: literalUnion(verdicts),
        reason: Type.String(),
        created_at: Timestamp,
      }),
      { description: "Volunteers' votes on the report, oldest first" },
    ),
    contact: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    created_by: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  {
    $id: 'Report',
    description: 'A report. `contact` and `created_by` appear only for volunteers and above.',
  },
);

export const ReportFilters = Type.Object(
  {
    bbox: Type.Optional(
      Type.String({ description: 'west,south,east,north in degrees; west > east crosses 180°' }),
    ),
    category: Type.Optional(
      Type.String({ description: 'category ids, comma-separated; subcategories included' }),
    ),
    status: Type.Optional(
      Type.String({ description: `one of ${reportStatuses.join(', ')} (volunteers and up)` }),
    ),
    verification: Type.Optional(Type.String({ description: `one of ${verificationStates.join(', ')}` })),
    since: Type.Optional(Type.String({ description: 'occurred at or after (RFC 3339 or a date)' })),
    until: Type.Optional(Type.String({ description: 'occurred at or before (RFC 3339 or a date)' })),
    q: Type.Optional(Type.String({ maxLength: 500, description: 'words in title, description or place' })),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    ...ReportFilters.properties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const ReportIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
