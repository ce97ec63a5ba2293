import { Type } from 'typebox';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';

const Position = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Base64 = Type.String({ contentEncoding: 'base64' });

export const LedgerEntry = Type.Object(
  {
    index: Type.Integer(),
    time: Type.String(),
    action: Type.String(),
    subject: Type.String(),
    actor: Type.String({ description: 'Pseudonymous id of who made the change' }),
    leaf: Type.String({
      description: 'Base64 of the exact leaf bytes: RFC 8785 JSON naming the content by SHA-256',
    }),
    content: Type.Union([Base64, Type.Null()], {
      description: 'Base64 of the content bytes; null once redacted',
    }),
    redacted: Type.Boolean(),
  },
  { $id: 'LedgerEntry' },
);

export function ledgerRoutes(app: TypedApp, services: Services): void {
  const { ledger } = services;
  app.addSchema(LedgerEntry);

  app.get(
    '/api/v1/ledger/checkpoint',
    {
      schema: {
        tags: ['public record'],
        summary: 'The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), as text/plain',
        produces: ['text/plain'],
        response: { 200: Type.String(), ...problemResponses },
      },
    },
    async (_request, reply) => {
      const checkpoint = await ledger.checkpoint();
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(checkpoint.note);
    },
  );

  app.get(
    '/api/v1/ledger/key',
    {
      schema: {
        tags: ['public record'],
        summary: "The deployment's Ed25519 public key and the origin line its checkpoints carry",
        response: {
          200: Type.Object({
            origin: Type.String(),
            algorithm: Type.Literal('Ed25519'),
            key_name: Type.String(),
            key_id: Type.String({ description: 'hex' }),
            public_key: Base64,
            verifier_key: Type.String({
              description: 'name+keyid+base64(0x01 ‖ key), as C2SP signed notes use it',
            }),
          }),
        },
      },
    },
    () => ledger.key(),
  );

  app.get(
    '/api/v1/ledger/entries',
    {
      schema: {
        tags: ['public record'],
        summary: 'Entries [start, end) with their content; at most 1000 per request',
        querystring: Type.Object({ start: Position, end: Position }, { additionalProperties: false }),
        response: {
          200: Type.Object({ tree_size: Type.Integer(), entries: Type.Array(Type.Ref('LedgerEntry')) }),
          ...problemResponses,
        },
      },
    },
    (request) => ledger.entries(request.query.start, request.query.end),
  );

  app.get(
    '/api/v1/ledger/proofs/inclusion',
    {
      schema: {
        tags: ['public record'],
        summary: 'RFC 9162 inclusion proof of entry `index` in the tree of `tree_size` entries',
        querystring: Type.Object({ index: Position, tree_size: Position }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            index: Type.Integer(),
            tree_size: Type.Integer(),
            leaf_hash: Base64,
            hashes: Type.Array(Base64),
          }),
          ...problemResponses,
        },
      },
    },
    (request) => ledger.inclusionProof(request.query.index, request.query.tree_size),
  );

  app.get(
    '/api/v1/ledger/proofs/consistency',
    {
      schema: {
        tags: ['public record'],
        summary:
          'RFC 9162 consistency proof that the tree of `first` entries is a prefix of that of `second`',
        querystring: Type.Object({ first: Position, second: Position }, { additionalProperties: false }),
        response: {
          200: Type.Object({ first: Type.Integer(), second: Type.Integer(), hashes: Type.Array(Base64) }),
          ...problemResponses,
        },
      },
    },
    (request) => ledger.consistencyProof(request.query.first, request.query.second),
  );

  app.post(
    '/api/v1/ledger/redactions',
    {
      schema: {
        tags: ['public record'],
        summary:
          'Remove the content of entries published by mistake (coordinator+); their leaves stay and the redaction is itself an entry',
        body: Type.Object(
          {
            entries: Type.Array(Position, { minItems: 1, maxItems: 1000 }),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('LedgerEntry'), ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await ledger.redact(request.actor, request.body.entries, request.body.reason)),
  );

  app.get(
    '/api/v1/reports/:id/history',
    {
      schema: {
        tags: ['reports'],
        summary: "A report's entries on the public record, oldest first",
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 200: Type.Object({ entries: Type.Array(Type.Ref('LedgerEntry')) }), ...problemResponses },
      },
    },
    async (request) => {
      // Whoever may not see the report learns nothing of it here either.
      await services.reports.get(request.actor, request.params.id);
      return { entries: await ledger.history(`report:${request.params.id}`) };
    },
  );
}
