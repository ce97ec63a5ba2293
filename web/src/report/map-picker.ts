/** Loaded only when the reporter opens "Pick on the map": it pulls in MapLibre, which is large. */
import { basemapStyle } from '../map/basemap';
import { maplibregl } from '../map/maplibre';
import type { SiteConfig } from '../types';

export interface Picker {
  setPosition(lat: number, lon: number): void;
  resize(): void;
  destroy(): void;
}

export function createPicker(
  container: HTMLElement,
  config: SiteConfig | undefined,
  initial: { lat: number; lon: number } | undefined,
  onPick: (lat: number, lon: number) => void,
): Picker {
  const center =
    initial ?? (config ? { lat: config.default_center.lat, lon: config.default_center.lon } : undefined);
  const map = new maplibregl.Map({
    container,
    style: basemapStyle(config?.basemap),
    center: center ? [center.lon, center.lat] : [0, 20],
    zoom: initial ? 12 : (config?.default_zoom ?? 1),
    attributionControl: { compact: true },
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');

  const marker = new maplibregl.Marker({ draggable: true, color: '#b3261e' });
  let placed = false;
  const place = (lat: number, lon: number) => {
    marker.setLngLat([lon, lat]);
    if (!placed) {
      marker.addTo(map);
      placed = true;
    }
  };
  if (initial) place(initial.lat, initial.lon);

  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  map.on('click', (event) => {
    const { lat, lng } = event.lngLat.wrap();
    place(lat, lng);
    onPick(round(lat), round(lng));
  });
  marker.on('dragend', () => {
    const { lat, lng } = marker.getLngLat().wrap();
    onPick(round(lat), round(lng));
  });

  return {
    setPosition(lat, lon) {
      place(lat, lon);
      map.easeTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 10) });
    },
    resize: () => map.resize(),
    destroy: () => map.remove(),
  };
}
