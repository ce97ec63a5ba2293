import { Type } from 'typebox';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { LocalPlacesService } from './local-places.service.js';
import type { PlacesService } from './places.service.js';

export function placesRoutes(app: TypedApp, places: PlacesService): void {
  const Place = Type.Object({
    name: Type.String(),
    country: Type.String(),
    lat: Type.Number(),
    lon: Type.Number(),
    population: Type.Integer(),
  });
  app.get(
    '/api/v1/geo/places',
    {
      schema: {
        tags: ['geo'],
        summary: 'Find towns and cities by name (GeoNames, CC BY 4.0), largest first',
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 200 }),
            country: Type.Optional(
              Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Place) }), ...problemResponses },
      },
    },
    (request) => ({
      items: places.search(request.query.q, request.query.limit ?? 10, request.query.country),
    }),
  );
}

export function localPlacesRoutes(app: TypedApp, places: LocalPlacesService): void {
  const LocalPlace = Type.Object({
    id: Type.String(),
    name: Type.String(),
    lat: Type.Number(),
    lon: Type.Number(),
  });
  const list = Type.Object({ items: Type.Array(LocalPlace) });
  const view = (items: { id: string; name: string; lat: number; lon: number }[]) => ({
    items: items.map(({ id, name, lat, lon }) => ({ id, name, lat, lon })),
  });
  app.get(
    '/api/v1/geo/local-places',
    {
      schema: {
        tags: ['geo'],
        summary: "The deployment's own places, found in messages before any town (volunteers and up)",
        response: { 200: list, ...problemResponses },
      },
    },
    async (request) => view(await places.list(request.actor)),
  );
  app.post(
    '/api/v1/geo/local-places',
    {
      schema: {
        tags: ['geo'],
        summary:
          'Add a place people name (a market, an estate, a camp), or move one of the same name (coordinators and up)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 120 }),
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            lon: Type.Number({ minimum: -180, maximum: 180 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: list, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(view(await places.add(request.actor, request.body))),
  );
  app.delete(
    '/api/v1/geo/local-places/:id',
    {
      schema: {
        tags: ['geo'],
        summary: 'Remove a place from the list (coordinators and up)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await places.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
