/**
 * The sensor side of the map page: the MapLibre layer, what it needs from the API (loaded the first time the
 * layer is shown, so a page that never shows sensors never asks), and what was chosen on it.
 */
import type { LngLatBoundsLike } from 'maplibre-gl';
import type { RefObject } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isAbort } from '../api';
import { type Insets, mapInsets } from './map-insets';
import { DEFAULT_QUANTITY, type MapLayers } from './map-layers';
import { REPORT_LAYERS, type ReportMap } from './report-map';
import {
  fetchDevices,
  fetchQuantities,
  type QuantityInfo,
  type SensorDevice,
  type TrackCollection,
} from './sensor-api';
import { type CellsState, SensorLayer } from './sensor-layer';
import type { SensorSelection } from './sensor-panel';

export interface Sensors {
  /** Every quantity the server knows. */
  quantities: QuantityInfo[];
  /** The ones to offer: those with readings here, when that is known, and the chosen one. */
  offered: QuantityInfo[];
  /** The chosen quantity, once the list has arrived (the default when the address named an unknown one). */
  quantity: QuantityInfo | undefined;
  quantitiesFailed: boolean;
  devices: SensorDevice[];
  /** Some devices are drawn: fixed ones with a public place. */
  devicesShown: boolean;
  cells: CellsState;
  selection: SensorSelection | null;
  tracksShown: boolean;
  selectDevice(id: string): void;
  close(): void;
  showTracks(tracks: TrackCollection[]): void;
  fitTo(bounds: LngLatBoundsLike): void;
  /** The panel is shown: on a phone, the map moves what was chosen out from under it. */
  reveal(panel: HTMLElement): void;
  retry(): void;
  retryQuantities(): void;
}

/** `overlays`: what covers the top left of the map (the layer switch and legends), kept clear of drives. */
export function useSensors(
  reportMap: ReportMap | null,
  layers: MapLayers,
  overlays: RefObject<HTMLElement>,
): Sensors {
  const layer = useRef<SensorLayer | null>(null);
  const [asked, setAsked] = useState(false);
  const [quantities, setQuantities] = useState<QuantityInfo[]>([]);
  const [quantitiesFailed, setQuantitiesFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [devices, setDevices] = useState<SensorDevice[]>([]);
  const [cells, setCells] = useState<CellsState>({ status: 'idle' });
  const [selection, setSelection] = useState<SensorSelection | null>(null);
  const [tracksShown, setTracksShown] = useState(false);

  useEffect(() => {
    if (!reportMap) return;
    const created = new SensorLayer(reportMap.map, {
      beneath: REPORT_LAYERS[0],
      above: REPORT_LAYERS,
      onCells: setCells,
      onCellClick: (cell) => setSelection({ kind: 'cell', cell }),
      onDeviceClick: (id) => setSelection({ kind: 'device', id }),
    });
    layer.current = created;
    return () => {
      created.destroy();
      layer.current = null;
    };
  }, [reportMap]);

  useEffect(() => {
    if (layers.sensors) setAsked(true);
  }, [layers.sensors]);

  useEffect(() => {
    if (!asked) return;
    const controller = new AbortController();
    setQuantitiesFailed(false);
    fetchQuantities(controller.signal)
      .then(setQuantities)
      .catch((error: unknown) => {
        if (!isAbort(error)) setQuantitiesFailed(true);
      });
    // Devices add points to the map; the hexagons are whole without them.
    fetchDevices(controller.signal)
      .then(setDevices)
      .catch((error: unknown) => {
        if (!isAbort(error)) console.warn('sensor devices:', error);
      });
    return () => controller.abort();
  }, [asked, attempt]);

  const quantity =
    quantities.find((candidate) => candidate.name === layers.quantity) ??
    quantities.find((candidate) => candidate.name === DEFAULT_QUANTITY) ??
    quantities[0];

  const offered = useMemo(() => {
    // A deployment with no readings at all offers every quantity, so the layer never has nothing to show.
    const mapped = quantities.filter((candidate) => candidate.mapped_readings > 0);
    if (mapped.length === 0) return quantities;
    return quantities.filter(
      (candidate) => candidate.mapped_readings > 0 || candidate.name === quantity?.name,
    );
  }, [quantities, quantity]);

  useEffect(() => layer.current?.setVisible(layers.sensors), [reportMap, layers.sensors]);
  useEffect(() => layer.current?.setDevices(devices), [reportMap, devices]);
  useEffect(() => {
    if (quantity) layer.current?.setQuantity(quantity);
  }, [reportMap, quantity]);

  // What was chosen belongs to one quantity on a shown layer.
  useEffect(() => setSelection(null), [layers.sensors, quantity?.name]);
  useEffect(() => {
    layer.current?.selectCell(selection?.kind === 'cell' ? selection.cell.cell : null);
  }, [reportMap, selection]);

  const showTracks = useCallback((tracks: TrackCollection[]) => {
    layer.current?.showTracks(tracks);
    setTracksShown(tracks.length > 0);
  }, []);
  const panel = useRef<HTMLElement | null>(null);
  const insets = useCallback(
    (): Insets =>
      reportMap
        ? mapInsets(reportMap.map.getContainer(), { overlays: overlays.current, sheet: panel.current })
        : { left: 0, bottom: 0 },
    [reportMap, overlays],
  );
  const reveal = useCallback(
    (shown: HTMLElement) => {
      panel.current = shown;
      layer.current?.reveal(insets());
    },
    [insets],
  );
  const fitTo = useCallback((bounds: LngLatBoundsLike) => layer.current?.fitTo(bounds, insets()), [insets]);
  const retry = useCallback(() => layer.current?.retry(), []);
  const retryQuantities = useCallback(() => setAttempt((n) => n + 1), []);
  const close = useCallback(() => setSelection(null), []);
  const selectDevice = useCallback((id: string) => setSelection({ kind: 'device', id }), []);

  return {
    quantities,
    offered,
    quantity,
    quantitiesFailed,
    devices,
    devicesShown: devices.some((device) => device.mobility === 'fixed' && device.location),
    cells,
    selection,
    tracksShown,
    selectDevice,
    close,
    showTracks,
    fitTo,
    reveal,
    retry,
    retryQuantities,
  };
}
