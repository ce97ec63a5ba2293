import { cellToBoundary, getHexagonEdgeLengthAvg, getResolution, isValidCell, UNITS } from 'h3-js';
import { type Actor, hasRole } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import type { BoundingBox } from '../db/dialect-sql.js';
import { TallyError, validationError } from '../errors.js';
import { type CellResolution, cellResolutions, isCellResolution, resolutionForZoom } from './cells.js';
import type { DecodedReading, DecodedUplink } from './decoders/decoded-reading.js';
import type { Device } from './device.js';
import type { DevicesService } from './devices.service.js';
import type { ImportsService } from './imports.service.js';
import { type Quantity, quantityNames } from './quantities.js';
import { readingsFromDevice } from './reading.js';
import type {
  CellAggregate,
  CellSource,
  ReadingsRepository,
  SeriesPoint,
  StoreOutcome,
  TrackPoint,
} from './readings.repository.js';

export interface CellView extends CellAggregate {
  /** The hexagon's corners as [lon, lat], closed. */
  boundary: [number, number][];
}

export interface CellDetail {
  quantity: Quantity;
  cell: CellView;
  /** Daily values, oldest first. */
  days: SeriesPoint[];
  /** Devices and drives that passed through, latest first. */
  sources: CellSource[];
}

const maxCellsPerQuery = 20_000;
const maxSeriesPoints = 1_000;

/** Bucket widths for a device's series, so a day shows minutes and ten years show weeks. */
const bucketsMs = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000];

/** A sensor feed passes on its owner's uplinks: for their own devices only, whatever their role. */
export interface FeedOwner {
  kind: 'feed-owner';
  userId: string;
}

/** Who passes an uplink on: a signed-in caller (a webhook with an API token) or a sensor feed's owner. */
export type UplinkRelay = Actor | FeedOwner;

function mayRelay(relay: UplinkRelay, device: Device): boolean {
  if (relay.kind === 'feed-owner') return relay.userId === device.ownerId;
  return relay.kind === 'user' && (relay.userId === device.ownerId || hasRole(relay, 'coordinator'));
}

/** Six decimals, about 0.1 m: RFC 7946's advice, far finer than the smallest hexagon's 170 m edge. */
const toMicrodegrees = (degrees: number) => Math.round(degrees * 1e6) / 1e6;

export function withBoundary(cell: CellAggregate): CellView {
  // Full doubles' seventeen digits made the view's JSON a third longer and slower to write and compress.
  const boundary = cellToBoundary(cell.cell, true).map(
    ([lon, lat]) => [toMicrodegrees(lon as number), toMicrodegrees(lat as number)] as [number, number],
  );
  return { ...cell, boundary };
}

/**
 * Live readings in, and the map's questions answered from the aggregates. A batch is stored whole or not at
 * all, and the moment it is stored its readings are on the map: the cells are updated in the same
 * transaction, never by a later job.
 */
export class ReadingsService {
  constructor(
    private readonly readings: ReadingsRepository,
    private readonly devices: DevicesService,
    private readonly imports: ImportsService,
    private readonly clock: Clock,
  ) {}

  /**
   * At start, before anything is served: the map's cells folded again from the readings when a migration
   * moved stored ones. Null when none was asked for, else how many readings are on the map.
   */
  rebuildCellsIfAsked(): Promise<number | null> {
    return this.readings.rebuildCellsIfAsked();
  }

  async store(
    device: Device,
    decoded: readonly DecodedReading[],
    pointer?: (index: number) => string,
  ): Promise<StoreOutcome> {
    const now = this.clock.now();
    const readings = readingsFromDevice(device, decoded, now.getTime(), pointer);
    if (readings.length === 0) return { inserted: 0, duplicates: 0 };
    const outcome = await this.readings.transaction((trx) => this.readings.insert(trx, readings, true));
    const latest = readings.reduce((max, reading) => Math.max(max, reading.capturedMs), 0);
    await this.devices.noteReading(device.id, new Date(latest).toISOString());
    return outcome;
  }

  /**
   * An uplink from another network, stored for the device registered under its id there. When a signed-in
   * caller relays it (a webhook with the owner's API token), the device must be theirs; when a sensor feed
   * brings it, the feed owner's.
   */
  async storeUplink(
    uplink: DecodedUplink,
    relayedBy: UplinkRelay | null,
  ): Promise<StoreOutcome & { device: Device }> {
    const device = await this.devices.byExternalId(
      uplink.device.network,
      uplink.device.externalId,
      uplink.device.hardwareId,
    );
    if (relayedBy && !mayRelay(relayedBy, device)) {
      throw new TallyError(
        'unknown_device',
        `${uplink.device.network} ${uplink.device.externalId} is not one of your devices`,
      );
    }
    return { ...(await this.store(device, uplink.readings)), device };
  }

  /** How many readings of each quantity are on the map, so that a map offers only what it can show. */
  mappedCounts(): Promise<Map<string, number>> {
    return this.readings.mappedCounts(quantityNames, cellResolutions[0]);
  }

  async cells(
    quantity: Quantity,
    box: BoundingBox,
    zoomOrResolution: { zoom?: number; resolution?: number },
  ) {
    const resolution = this.resolution(zoomOrResolution);
    const margin = (getHexagonEdgeLengthAvg(resolution, UNITS.km) / 111) * 1.2;
    const cells = await this.readings.cellsInBox(quantity, resolution, box, margin, maxCellsPerQuery + 1);
    return {
      resolution,
      truncated: cells.length > maxCellsPerQuery,
      cells: cells.slice(0, maxCellsPerQuery).map(withBoundary),
    };
  }

  async cell(quantity: Quantity, cellId: string): Promise<CellDetail> {
    if (!isValidCell(cellId)) throw validationError('path/cell', 'is not an H3 cell index');
    const resolution = getResolution(cellId);
    const aggregate = isCellResolution(resolution)
      ? await this.readings.cell(quantity, resolution, cellId)
      : undefined;
    if (!aggregate) throw new TallyError('not_found', `No ${quantity} readings in cell ${cellId}`);
    const [days, sources] = await Promise.all([
      this.readings.cellDays(quantity, resolution, cellId, maxSeriesPoints),
      this.readings.cellSources(quantity, resolution, cellId, 50),
    ]);
    return { quantity, cell: withBoundary(aggregate), days, sources };
  }

  /** A device's public readings over a span, in as many buckets as a chart can show. */
  async deviceSeries(deviceId: string, quantity: Quantity | undefined, from?: number, to?: number) {
    const device = await this.devices.get(deviceId);
    const measured = quantity ?? device.quantity;
    const span = await this.readings.deviceSpan(device.id, measured);
    const finest = bucketsMs[0] as number;
    if (!span) return { device, quantity: measured, bucketMs: finest, points: [] };
    const start = from ?? span.first;
    const end = to ?? span.last + 1;
    // A chart shows up to maxSeriesPoints readings one by one; only more than that are put in buckets, as
    // wide as the span needs, so a station heard from a few times in a month is not shown as a few means.
    const counted = await this.readings.deviceCountUpTo(device.id, measured, start, end, maxSeriesPoints + 1);
    const bucketMs =
      counted <= maxSeriesPoints
        ? finest
        : (bucketsMs.find((width) => (end - start) / width <= maxSeriesPoints) ??
          (bucketsMs.at(-1) as number));
    const points = await this.readings.deviceSeries(device.id, measured, start, end, bucketMs);
    return { device, quantity: measured, bucketMs, points };
  }

  /** An import's path, thinned to at most a few thousand points; an unapproved one only for who may see it. */
  async track(actor: Actor, importId: string): Promise<{ importId: string; points: TrackPoint[] }> {
    const item = await this.imports.get(actor, importId);
    const length = await this.readings.trackLength(item.id);
    const step = Math.max(1, Math.ceil(length / 5_000));
    return {
      importId: item.id,
      points: await this.readings.track(item.id, item.status === 'approved', step),
    };
  }

  private resolution({ zoom, resolution }: { zoom?: number; resolution?: number }): CellResolution {
    if (resolution !== undefined) {
      if (!isCellResolution(resolution)) {
        throw validationError('query/resolution', 'must be one of 1, 3, 5, 7, 9');
      }
      return resolution;
    }
    return resolutionForZoom(zoom ?? 0);
  }
}
