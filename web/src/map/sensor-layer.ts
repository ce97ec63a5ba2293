/**
 * Sensor readings on the public map: the hexagons of the view (refetched as the map moves), fixed devices as
 * points, and the drives through a chosen hexagon as lines. Drawn beneath the reports, which stay on top.
 */
import type { Feature, FeatureCollection, Point } from 'geojson';
import type {
  ExpressionSpecification,
  GeoJSONSource,
  LngLat,
  LngLatBoundsLike,
  MapLayerMouseEvent,
  Map as MapLibreMap,
  PointLike,
} from 'maplibre-gl';
import { isAbort } from '../api';
import { stepExpression } from './color-scale';
import type { Insets } from './map-insets';
import {
  type CellProperties,
  fetchCells,
  type QuantityInfo,
  type SensorDevice,
  type TrackCollection,
} from './sensor-api';
import { viewBbox } from './view-bbox';

export type CellsState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'loaded'; count: number; truncated: boolean }
  | { status: 'error'; error: unknown };

export interface SensorLayerOptions {
  /** Sensor layers go beneath this one. */
  beneath?: string;
  /** Layers whose features take a click before the hexagons beneath them (the reports). */
  above: readonly string[];
  onCells(state: CellsState): void;
  onCellClick(cell: CellProperties): void;
  onDeviceClick(deviceId: string): void;
}

const SOURCES = { cells: 'sensor-cells', tracks: 'sensor-tracks', devices: 'sensor-devices' } as const;
const LAYERS = {
  cellsFill: 'sensor-cells-fill',
  cellsOutline: 'sensor-cells-outline',
  cellSelected: 'sensor-cell-selected',
  trackCasing: 'sensor-track-casing',
  trackLine: 'sensor-track-line',
  trackPoints: 'sensor-track-points',
  devices: 'sensor-devices',
  devicesCore: 'sensor-devices-core',
} as const;
const ALL_LAYERS = Object.values(LAYERS);

/** Moving the map emits many moveends; one request after the map settles is enough. */
const DEBOUNCE_MS = 250;
/** A finger is not a mouse pointer: devices answer taps this many pixels around them. */
const TAP_SLOP = 8;

/** The legend in map.css draws the same. */
const TRACK_COLOR = '#1c2321';
const DEVICE_COLOR = '#073f3e';

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

export class SensorLayer {
  private ready = false;
  private visible = false;
  private quantity: QuantityInfo | null = null;
  private devices: FeatureCollection<Point, { id: string; name: string }> = {
    type: 'FeatureCollection',
    features: [],
  };
  private tracks: FeatureCollection = EMPTY;
  private selectedCell = '';
  /** Where the map was last clicked to choose a hexagon or a device. */
  private chosenAt: LngLat | undefined;
  private timer: number | undefined;
  private controller: AbortController | undefined;
  private loadedKey = '';
  private readonly container: HTMLElement;

  constructor(
    private readonly map: MapLibreMap,
    private readonly options: SensorLayerOptions,
  ) {
    this.container = map.getContainer();
    if (map.isStyleLoaded()) this.install();
    else map.once('load', this.install);
    map.on('moveend', this.schedule);
    map.on('click', this.onClick);
  }

  private readonly install = (): void => {
    const { map } = this;
    const beneath =
      this.options.beneath && map.getLayer(this.options.beneath) ? this.options.beneath : undefined;
    map.addSource(SOURCES.cells, { type: 'geojson', data: EMPTY });
    map.addSource(SOURCES.tracks, { type: 'geojson', data: this.tracks });
    map.addSource(SOURCES.devices, { type: 'geojson', data: this.devices });
    const mean: ExpressionSpecification = ['get', 'mean'];
    map.addLayer(
      {
        id: LAYERS.cellsFill,
        type: 'fill',
        source: SOURCES.cells,
        paint: { 'fill-color': this.colors(mean), 'fill-opacity': 0.62 },
      },
      beneath,
    );
    map.addLayer(
      {
        id: LAYERS.cellsOutline,
        type: 'line',
        source: SOURCES.cells,
        paint: {
          'line-color': '#1c2321',
          'line-opacity': 0.35,
          'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.3, 10, 0.8],
        },
      },
      beneath,
    );
    map.addLayer(
      {
        id: LAYERS.cellSelected,
        type: 'line',
        source: SOURCES.cells,
        filter: ['==', ['get', 'cell'], this.selectedCell],
        paint: { 'line-color': '#1c2321', 'line-width': 3 },
      },
      beneath,
    );
    // A light casing keeps the dark route readable over hexagons of any colour.
    map.addLayer(
      {
        id: LAYERS.trackCasing,
        type: 'line',
        source: SOURCES.tracks,
        filter: ['==', ['geometry-type'], 'LineString'],
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': '#ffffff', 'line-width': 5, 'line-opacity': 0.85 },
      },
      beneath,
    );
    map.addLayer(
      {
        id: LAYERS.trackLine,
        type: 'line',
        source: SOURCES.tracks,
        filter: ['==', ['geometry-type'], 'LineString'],
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': TRACK_COLOR, 'line-width': 2 },
      },
      beneath,
    );
    map.addLayer(
      {
        id: LAYERS.trackPoints,
        type: 'circle',
        source: SOURCES.tracks,
        filter: ['==', ['geometry-type'], 'Point'],
        minzoom: 11,
        paint: {
          'circle-color': this.colors(['get', 'value']),
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 2, 16, 5],
          'circle-stroke-color': TRACK_COLOR,
          'circle-stroke-width': 0.6,
        },
      },
      beneath,
    );
    map.addLayer(
      {
        id: LAYERS.devices,
        type: 'circle',
        source: SOURCES.devices,
        paint: {
          'circle-color': '#ffffff',
          'circle-radius': 7,
          'circle-stroke-color': DEVICE_COLOR,
          'circle-stroke-width': 3,
        },
      },
      beneath,
    );
    map.addLayer(
      {
        id: LAYERS.devicesCore,
        type: 'circle',
        source: SOURCES.devices,
        paint: { 'circle-color': DEVICE_COLOR, 'circle-radius': 2.5 },
      },
      beneath,
    );
    for (const layer of [LAYERS.cellsFill, LAYERS.devices]) {
      map.on('mouseenter', layer, this.pointer);
      map.on('mouseleave', layer, this.noPointer);
    }
    this.ready = true;
    this.applyVisibility();
    this.applyQuantity();
    this.schedule();
  };

  private colors(input: ExpressionSpecification) {
    return stepExpression(this.quantity?.color_scale ?? [], input);
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    this.applyVisibility();
    if (visible) this.schedule();
    else this.cancel();
  }

  setQuantity(quantity: QuantityInfo): void {
    if (quantity.name === this.quantity?.name) return;
    this.quantity = quantity;
    // Hexagons of the previous quantity would be read with the new colours: clear them at once.
    this.setCells(EMPTY);
    this.applyQuantity();
    this.schedule();
  }

  setDevices(devices: SensorDevice[]): void {
    const features: Feature<Point, { id: string; name: string }>[] = [];
    for (const device of devices) {
      if (device.mobility !== 'fixed' || !device.location) continue;
      features.push({
        type: 'Feature',
        properties: { id: device.id, name: device.name },
        geometry: { type: 'Point', coordinates: [device.location.lon, device.location.lat] },
      });
    }
    this.devices = { type: 'FeatureCollection', features };
    if (this.ready) this.map.getSource<GeoJSONSource>(SOURCES.devices)?.setData(this.devices);
  }

  /** Outlines one hexagon (by its H3 index), or none. */
  selectCell(cell: string | null): void {
    this.selectedCell = cell ?? '';
    if (this.ready) this.map.setFilter(LAYERS.cellSelected, ['==', ['get', 'cell'], this.selectedCell]);
  }

  showTracks(tracks: TrackCollection[]): void {
    this.tracks = { type: 'FeatureCollection', features: tracks.flatMap((track) => track.features) };
    const points = this.tracks.features.filter((feature) => feature.geometry.type === 'Point').length;
    this.container.dataset.sensorTracks = String(tracks.length);
    this.container.dataset.sensorTrackPoints = String(points);
    if (this.ready) this.map.getSource<GeoJSONSource>(SOURCES.tracks)?.setData(this.tracks);
  }

  clearTracks(): void {
    this.showTracks([]);
  }

  /** Fits the map to `bounds` in the part of it that `insets` leave visible. */
  fitTo(bounds: LngLatBoundsLike, insets: Insets): void {
    const margin = 40;
    this.map.fitBounds(bounds, {
      padding: { top: margin, right: margin, left: margin + insets.left, bottom: margin + insets.bottom },
      maxZoom: 15,
    });
  }

  /**
   * Pans the map, when a bottom sheet hides the place last chosen, so that it shows in the middle of what is
   * left above the sheet: on a phone the sheet covers half of the map.
   */
  reveal(insets: Insets): void {
    if (!this.chosenAt || insets.bottom <= 0) return;
    const box = this.container.getBoundingClientRect();
    const top = Math.max(0, -box.top);
    const bottom = box.height - insets.bottom;
    if (bottom - top < 40) return;
    const { y } = this.map.project(this.chosenAt);
    const margin = Math.min(60, (bottom - top) / 4);
    if (y >= top + margin && y <= bottom - margin) return;
    this.map.panBy([0, y - (top + bottom) / 2]);
  }

  retry(): void {
    this.loadedKey = '';
    this.schedule();
  }

  destroy(): void {
    this.cancel();
    this.map.off('moveend', this.schedule);
    this.map.off('click', this.onClick);
    this.map.off('load', this.install);
  }

  private applyVisibility(): void {
    if (!this.ready) return;
    for (const id of ALL_LAYERS) {
      this.map.setLayoutProperty(id, 'visibility', this.visible ? 'visible' : 'none');
    }
  }

  private applyQuantity(): void {
    if (!this.ready || !this.quantity) return;
    this.map.setPaintProperty(LAYERS.cellsFill, 'fill-color', this.colors(['get', 'mean']));
    this.map.setPaintProperty(LAYERS.trackPoints, 'circle-color', this.colors(['get', 'value']));
  }

  private readonly schedule = (): void => {
    if (!this.visible || !this.ready || !this.quantity) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.load(), DEBOUNCE_MS);
  };

  private cancel(): void {
    window.clearTimeout(this.timer);
    this.controller?.abort();
    this.controller = undefined;
    // A view left while its request was on the way must be asked for again.
    this.loadedKey = '';
  }

  private async load(): Promise<void> {
    if (!this.quantity) return;
    const query = {
      bbox: viewBbox(this.map).join(','),
      zoom: Math.round(this.map.getZoom() * 10) / 10,
      quantity: this.quantity.name,
    };
    const key = JSON.stringify(query);
    if (key === this.loadedKey) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.options.onCells({ status: 'loading' });
    try {
      const cells = await fetchCells(query, controller.signal);
      if (controller.signal.aborted) return;
      this.loadedKey = key;
      this.setCells(cells);
      this.options.onCells({ status: 'loaded', count: cells.features.length, truncated: cells.truncated });
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) return;
      this.options.onCells({ status: 'error', error });
    }
  }

  private setCells(cells: FeatureCollection): void {
    this.container.dataset.sensorCells = String(cells.features.length);
    if (this.ready) this.map.getSource<GeoJSONSource>(SOURCES.cells)?.setData(cells);
  }

  private readonly onClick = (event: MapLayerMouseEvent): void => {
    if (!this.visible || !this.ready) return;
    const { map } = this;
    const above = this.options.above.filter((id) => map.getLayer(id));
    if (above.length > 0 && map.queryRenderedFeatures(event.point, { layers: above }).length > 0) return;
    const { x, y } = event.point;
    const around: [PointLike, PointLike] = [
      [x - TAP_SLOP, y - TAP_SLOP],
      [x + TAP_SLOP, y + TAP_SLOP],
    ];
    const device = map.queryRenderedFeatures(around, { layers: [LAYERS.devices] })[0];
    if (device) {
      this.chosenAt = event.lngLat;
      this.options.onDeviceClick(String(device.properties.id));
      return;
    }
    const cell = map.queryRenderedFeatures(event.point, { layers: [LAYERS.cellsFill] })[0];
    if (cell) {
      this.chosenAt = event.lngLat;
      this.options.onCellClick(cell.properties as CellProperties);
    }
  };

  private readonly pointer = (): void => {
    this.map.getCanvas().style.cursor = 'pointer';
  };

  private readonly noPointer = (): void => {
    this.map.getCanvas().style.cursor = '';
  };
}

/** The bounds of a drive's route, for fitting the map to it. */
export function trackBounds(track: TrackCollection): LngLatBoundsLike | null {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const feature of track.features) {
    if (feature.geometry.type !== 'LineString') continue;
    for (const [lon = 0, lat = 0] of feature.geometry.coordinates) {
      west = Math.min(west, lon);
      east = Math.max(east, lon);
      south = Math.min(south, lat);
      north = Math.max(north, lat);
    }
  }
  return Number.isFinite(west) ? [west, south, east, north] : null;
}
