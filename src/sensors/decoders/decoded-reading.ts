import type { Quantity } from '../quantities.js';

/**
 * One value as a wire format carried it, before Tally knows which device sent it: decoders turn bytes into
 * these, the readings service checks them against the device (its conversion factor, its place, the clock)
 * and stores them.
 */
export interface DecodedReading {
  quantity: Quantity;
  /** In the quantity's unit, or counts per minute when `unit` is `cpm` (radiation only). */
  value: number;
  unit: 'cpm' | 'native';
  /** Milliseconds since the epoch, UTC. */
  capturedAt: number;
  lat?: number | null;
  lon?: number | null;
  /** Metres above sea level. */
  altitude?: number | null;
}

/** How an uplink names its device, for the owner's registration to be found by. */
export interface DeviceHint {
  /** `ttn`, `airrohr`, `safecast`, … */
  network: string;
  /** The device's id on that network: `application-id/device-id` on The Things Network, `esp8266-…` for airrohr. */
  externalId: string;
  /** The device's hardware id when the format carries one (a LoRaWAN DevEUI). */
  hardwareId?: string | null;
}

export interface DecodedUplink {
  device: DeviceHint;
  readings: DecodedReading[];
}
