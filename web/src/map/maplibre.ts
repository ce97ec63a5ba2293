/**
 * The one place that loads MapLibre. Pages import this module lazily (or from their own lazily loaded code)
 * so the library never weighs on pages that do not show a map.
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './maplibre-overrides.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';

// Without this MapLibre 6 looks for its worker next to its own module URL, which does not exist once bundled.
maplibregl.setWorkerUrl(workerUrl);

export { maplibregl };
