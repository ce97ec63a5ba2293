import { Type } from 'typebox';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import { toCategoryView } from './categories.service.js';

const Translations = Type.Record(
  Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }),
  Type.Object(
    {
      name: Type.Optional(Type.String({ maxLength: 120 })),
      description: Type.Optional(Type.String({ maxLength: 2000 })),
    },
    { additionalProperties: false },
  ),
  { additionalProperties: false },
);

const Color = Type.Union([Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }), Type.Null()]);

const Category = Type.Object(
  {
    id: Type.String(),
    parent_id: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    description: Type.String(),
    color: Type.Union([Type.String(), Type.Null()]),
    position: Type.Integer(),
    translations: Translations,
  },
  { $id: 'Category' },
);

const CategoryBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    parent_id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    color: Type.Optional(Color),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    translations: Type.Optional(Translations),
  },
  { additionalProperties: false },
);

const CategoryPatch = Type.Partial(CategoryBody, { additionalProperties: false, minProperties: 1 });
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function categoriesRoutes(app: TypedApp, services: Services): void {
  const { categories } = services;
  app.addSchema(Category);

  app.get(
    '/api/v1/categories',
    {
      schema: {
        tags: ['categories'],
        summary: 'All categories, flat; `parent_id` gives the hierarchy',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Category')) }), ...problemResponses },
      },
    },
    async () => ({ items: (await categories.list()).map(toCategoryView) }),
  );

  app.post(
    '/api/v1/categories',
    {
      schema: {
        tags: ['categories'],
        summary: 'Create a category (coordinators and up)',
        body: CategoryBody,
        response: { 201: Type.Ref('Category'), ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toCategoryView(await categories.create(request.actor, request.body))),
  );

  app.patch(
    '/api/v1/categories/:id',
    {
      schema: {
        tags: ['categories'],
        summary: 'Rename, move or describe a category (coordinators and up)',
        params: Params,
        body: CategoryPatch,
        response: { 200: Type.Ref('Category'), ...problemResponses },
      },
    },
    async (request) =>
      toCategoryView(await categories.update(request.actor, request.params.id, request.body)),
  );

  app.delete(
    '/api/v1/categories/:id',
    {
      schema: {
        tags: ['categories'],
        summary:
          'Delete a category without subcategories; reports keep existing without it (coordinators and up)',
        params: Params,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await categories.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  const Keywords = Type.Object(
    { keywords: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200 }) },
    { additionalProperties: false },
  );
  app.put(
    '/api/v1/categories/:id/keywords',
    {
      schema: {
        tags: ['categories'],
        summary: 'Set the words, in any language, that route messages to the category (coordinators and up)',
        params: Params,
        body: Keywords,
        response: { 200: Keywords, ...problemResponses },
      },
    },
    async (request) => ({
      keywords: await categories.setKeywords(request.actor, request.params.id, request.body.keywords),
    }),
  );
  app.get(
    '/api/v1/categories/:id/keywords',
    {
      schema: {
        tags: ['categories'],
        summary: 'The words that route messages to the category (volunteers and up)',
        params: Params,
        response: { 200: Keywords, ...problemResponses },
      },
    },
    async (request) => ({ keywords: await categories.keywordsOf(request.actor, request.params.id) }),
  );
}
