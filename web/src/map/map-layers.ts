/** Which layers the map shows, kept in the address (`?layers=reports,sensors&quantity=pm2_5`) to be shared. */

export interface MapLayers {
  reports: boolean;
  sensors: boolean;
  /** The sensor quantity the hexagons show. */
  quantity: string;
}

export const DEFAULT_QUANTITY = 'radiation';

export function readLayers(params: URLSearchParams): MapLayers {
  const named = params.get('layers');
  const shown = named === null ? ['reports'] : named.split(',');
  return {
    reports: shown.includes('reports'),
    sensors: shown.includes('sensors'),
    quantity: params.get('quantity') || DEFAULT_QUANTITY,
  };
}

/** The query parameters for `layers`; empty where they are the defaults, so plain addresses stay plain. */
export function layerParams(layers: MapLayers): { layers: string; quantity: string } {
  const shown = (['reports', 'sensors'] as const).filter((name) => layers[name]);
  return {
    layers: shown.length === 1 && shown[0] === 'reports' ? '' : shown.join(',') || 'none',
    quantity: layers.sensors && layers.quantity !== DEFAULT_QUANTITY ? layers.quantity : '',
  };
}
