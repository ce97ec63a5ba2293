/**
 * The public map: MapLibre with the offline basemap, published reports as a clustered GeoJSON source, and
 * cluster counts drawn as HTML markers because text layers need glyph files that are not available offline.
 */
import type { FeatureCollection, Point } from 'geojson';
import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap, Marker, Popup } from 'maplibre-gl';
import { verificationBadgeElement } from '../shared/badges';
import { excerpt, formatDateTime } from '../shared/format';
import { reportPageUrl } from '../shared/ledger';
import type { Category, Id, SiteConfig } from '../types';
import { basemapStyle } from './basemap';
import { maplibregl } from './maplibre';
import { t } from './strings';
import { type BBox, viewBbox } from './view-bbox';

export interface ReportProperties {
  id: Id;
  title: string;
  description?: string | null;
  occurred_at?: string | null;
  received_at?: string | null;
  categories?: Id[];
  location_name?: string | null;
  author_name?: string | null;
  verification?: string | null;
  url?: string | null;
}

export type ReportCollection = FeatureCollection<Point, ReportProperties>;

export type { BBox };

const SOURCE = 'reports';
const DEFAULT_COLOR = '#c2410c';
const CLUSTER_COLOR = '#0b5d5b';
/** Marker looks by verification state (the legend in map.css draws the same). */
const RING_COLOR = '#073f3e';
const DISPUTED_COLOR = '#9d174d';
const VERIFICATION: ExpressionSpecification = ['get', 'verification'];
/** The report layers, bottom first: other layers go beneath the first so that reports stay on top. */
export const REPORT_LAYERS = ['clusters', 'points-ring', 'points'] as const;

export class ReportMap {
  readonly map: MapLibreMap;
  private ready = false;
  private data: ReportCollection = { type: 'FeatureCollection', features: [] };
  private byId = new Map<string, ReportProperties>();
  private categories = new Map<string, Category>();
  private clusterLabels = new Map<number, Marker>();
  private popup: Popup | undefined;
  private popupId = '';
  private labelsQueued = false;
  private visible = true;

  constructor(
    container: HTMLElement,
    config: SiteConfig,
    private readonly onMove: (bbox: BBox) => void,
  ) {
    this.map = new maplibregl.Map({
      container,
      style: basemapStyle(config.basemap),
      center: [config.default_center.lon, config.default_center.lat],
      zoom: config.default_zoom,
      // `#map=zoom/lat/lon` in the address: a view can be shared, and it is kept on reload.
      hash: 'map',
      attributionControl: { compact: false },
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({}), 'bottom-left');
    this.map.on('load', () => this.onLoad());
    this.map.on('moveend', () => this.onMove(this.bbox()));
    this.map.on('error', (event) => console.warn('map:', event.error?.message ?? event));
  }

  private onLoad(): void {
    this.map.addSource(SOURCE, {
      type: 'geojson',
      data: this.data,
      cluster: true,
      clusterRadius: 45,
      clusterMaxZoom: 14,
    });
    this.map.addLayer({
      id: 'clusters',
      type: 'circle',
      source: SOURCE,
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': CLUSTER_COLOR,
        'circle-opacity': 0.88,
        'circle-radius': ['step', ['get', 'point_count'], 15, 10, 19, 100, 24, 1000, 30],
        'circle-stroke-width': 2,
        'circle-stroke-color': '#ffffff',
      },
    });
    // Verified: the category colour, full strength, inside a white gap and a dark ring (this layer).
    this.map.addLayer({
      id: 'points-ring',
      type: 'circle',
      source: SOURCE,
      filter: ['all', ['!', ['has', 'point_count']], ['==', VERIFICATION, 'verified']],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 2, 7, 12, 10],
        'circle-opacity': 0,
        'circle-stroke-width': 2.5,
        'circle-stroke-color': RING_COLOR,
      },
    });
    // Disputed: hollow, with a thick crimson outline. Unverified: the category colour, pale, with a thin edge.
    this.map.addLayer({
      id: 'points',
      type: 'circle',
      source: SOURCE,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': [
          'case',
          ['==', VERIFICATION, 'disputed'],
          '#ffffff',
          ['coalesce', ['get', '_color'], DEFAULT_COLOR],
        ],
        'circle-opacity': ['match', VERIFICATION, 'verified', 1, 'disputed', 0.95, 0.45],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 2, 5, 12, 8],
        'circle-stroke-width': ['match', VERIFICATION, 'disputed', 3, 'verified', 2, 1.25],
        'circle-stroke-color': [
          'match',
          VERIFICATION,
          'disputed',
          DISPUTED_COLOR,
          'verified',
          '#ffffff',
          ['coalesce', ['get', '_color'], DEFAULT_COLOR],
        ],
        'circle-stroke-opacity': ['match', VERIFICATION, 'verified', 1, 'disputed', 1, 0.85],
      },
    });

    this.map.on('click', 'clusters', (event) => {
      const feature = event.features?.[0];
      if (!feature) return;
      const clusterId = feature.properties.cluster_id as number;
      const center = (feature.geometry as Point).coordinates as [number, number];
      void this.source()
        ?.getClusterExpansionZoom(clusterId)
        .then((zoom) => this.map.easeTo({ center, zoom: Math.min(zoom, 20) }));
    });
    this.map.on('click', 'points', (event) => {
      const feature = event.features?.[0];
      if (!feature) return;
      const props = this.byId.get(String(feature.properties.id)) ?? (feature.properties as ReportProperties);
      this.openPopup((feature.geometry as Point).coordinates as [number, number], props);
    });
    for (const layer of ['clusters', 'points']) {
      this.map.on('mouseenter', layer, () => {
        this.map.getCanvas().style.cursor = 'pointer';
      });
      this.map.on('mouseleave', layer, () => {
        this.map.getCanvas().style.cursor = '';
      });
    }
    // Cluster membership changes as tiles load and as the zoom crosses levels, so labels follow rendering.
    this.map.on('render', () => this.queueLabels());

    this.ready = true;
    this.setVisible(this.visible);
    this.onMove(this.bbox());
  }

  private source(): GeoJSONSource | undefined {
    return this.map.getSource<GeoJSONSource>(SOURCE);
  }

  bbox(): BBox {
    return viewBbox(this.map);
  }

  /** Shows or hides the reports (points, clusters and their counts) without dropping their data. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (!this.ready) return;
    for (const id of REPORT_LAYERS)
      this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
    if (!visible) this.popup?.remove();
    this.queueLabels();
  }

  setCategories(categories: Category[]): void {
    this.categories = new Map(categories.map((c) => [String(c.id), c]));
    this.setData(this.data);
  }

  setData(data: ReportCollection): void {
    this.byId = new Map(data.features.map((f) => [String(f.properties.id ?? f.id), f.properties]));
    // Colour each point by its first category here: expressions on array properties are fragile.
    const features = data.features
      .filter((f) => f.geometry?.type === 'Point')
      .map((f) => {
        const first = f.properties.categories?.[0];
        const color = first === undefined ? undefined : this.categories.get(String(first))?.color;
        return { ...f, properties: { ...f.properties, _color: color ?? DEFAULT_COLOR } };
      });
    this.data = { type: 'FeatureCollection', features };
    if (this.ready) this.source()?.setData(this.data);
    // The report in an open popup may no longer match the filters.
    if (this.popup && !this.byId.has(this.popupId)) this.popup.remove();
  }

  private queueLabels(): void {
    if (this.labelsQueued) return;
    this.labelsQueued = true;
    requestAnimationFrame(() => {
      this.labelsQueued = false;
      if (this.map.getSource(SOURCE) && this.map.isSourceLoaded(SOURCE)) this.updateClusterLabels();
    });
  }

  private updateClusterLabels(): void {
    const seen = new Map<number, Marker>();
    const clusters = this.visible
      ? this.map.querySourceFeatures(SOURCE, { filter: ['has', 'point_count'] })
      : [];
    for (const feature of clusters) {
      const props = feature.properties;
      const id = props.cluster_id as number;
      if (seen.has(id)) continue; // the same cluster appears once per tile it touches
      let marker = this.clusterLabels.get(id);
      if (!marker) {
        const el = document.createElement('div');
        el.className = 'cluster-label';
        el.textContent = String(props.point_count_abbreviated ?? props.point_count);
        el.setAttribute('aria-hidden', 'true');
        marker = new maplibregl.Marker({ element: el })
          .setLngLat((feature.geometry as Point).coordinates as [number, number])
          .addTo(this.map);
      }
      seen.set(id, marker);
    }
    for (const [id, marker] of this.clusterLabels) {
      if (!seen.has(id)) marker.remove();
    }
    this.clusterLabels = seen;
  }

  openPopup(lngLat: [number, number], report: ReportProperties): void {
    this.popup?.remove();
    this.popupId = String(report.id);
    this.popup = new maplibregl.Popup({ maxWidth: '320px', offset: 10, focusAfterOpen: true })
      .setLngLat(lngLat)
      .setDOMContent(this.popupContent(report))
      .addTo(this.map);
  }

  /** Moves to a report and opens its popup once there; zooms past the clustering so the point is visible. */
  showReport(lngLat: [number, number], report: ReportProperties): void {
    const zoom = Math.max(this.map.getZoom(), 15);
    this.map.once('moveend', () => this.openPopup(lngLat, report));
    this.map.flyTo({ center: lngLat, zoom, essential: true });
  }

  private popupContent(report: ReportProperties): HTMLElement {
    const root = document.createElement('article');
    root.className = 'report-popup';
    const title = document.createElement('h3');
    title.textContent = report.title;
    root.append(title);

    const meta = [formatDateTime(report.occurred_at ?? report.received_at), report.location_name ?? '']
      .filter(Boolean)
      .join(' · ');
    if (meta) {
      const p = document.createElement('p');
      p.className = 'meta';
      p.textContent = meta;
      root.append(p);
    }
    const text = excerpt(report.description, 220);
    if (text) {
      const p = document.createElement('p');
      p.textContent = text;
      root.append(p);
    }
    const chips = document.createElement('p');
    chips.className = 'chips';
    chips.append(verificationBadgeElement(report.verification), ' ');
    for (const id of categoryIds(report.categories)) {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.textContent = this.categories.get(String(id))?.name ?? String(id);
      chips.append(chip, ' ');
    }
    root.append(chips);
    const more = document.createElement('p');
    const link = document.createElement('a');
    link.href = reportPageUrl(report.id);
    link.textContent = t.details;
    more.append(link);
    root.append(more);
    return root;
  }

  resize(): void {
    this.map.resize();
  }

  destroy(): void {
    this.map.remove();
  }
}

/** Category ids from a feature property, which MapLibre may hand back JSON-encoded. */
function categoryIds(value: unknown): Id[] {
  if (Array.isArray(value)) return value as Id[];
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? (parsed as Id[]) : [];
    } catch {
      return [];
    }
  }
  return [];
}
