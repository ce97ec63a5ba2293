import { Type } from 'typebox';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
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
