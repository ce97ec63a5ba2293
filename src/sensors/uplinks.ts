import type { Clock } from '../clock.js';
import { TallyError } from '../errors.js';
import { decodeAirrohrPush } from './decoders/airrohr.js';
import { decodeSafecastDevice } from './decoders/safecast-device.js';
import { decodeTallyCsv, decodeTallyJsonBatch } from './decoders/tally-batch.js';
import { decodeTtnV2Uplink, decodeTtnV3Uplink, type PayloadFormat } from './decoders/ttn.js';
import type { DevicesService } from './devices.service.js';
import type { StoreOutcome } from './readings.repository.js';
import type { ReadingsService, UplinkRelay } from './readings.service.js';

export type TtnVersion = 'v3' | 'v2';

export interface StoredUplink extends StoreOutcome {
  deviceId: string;
}

function field(value: unknown, ...path: string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

/** The device's id on The Things Network, read before decoding: its registration says how to decode. */
function ttnExternalId(body: unknown, version: TtnVersion): string | undefined {
  const application =
    version === 'v3'
      ? field(body, 'end_device_ids', 'application_ids', 'application_id')
      : field(body, 'app_id');
  const device = version === 'v3' ? field(body, 'end_device_ids', 'device_id') : field(body, 'dev_id');
  return application && device ? `${application}/${device}` : undefined;
}

/**
 * Every way readings arrive, whether by HTTP or MQTT: decoded by the wire format's decoder, matched to a
 * registered device, and stored by the readings service. Devices of other networks are matched by their id
 * there; Tally's own formats carry the device's token.
 */
export class UplinkIngest {
  constructor(
    private readonly readings: ReadingsService,
    private readonly devices: DevicesService,
    private readonly clock: Clock,
  ) {}

  async ttn(body: unknown, version: TtnVersion, relayedBy: UplinkRelay | null): Promise<StoredUplink> {
    const externalId = ttnExternalId(body, version);
    const registered = externalId ? await this.devices.byExternalIdOrNull('ttn', externalId) : null;
    const payloadFormat = (registered?.payloadFormat ?? undefined) as PayloadFormat | undefined;
    const options = payloadFormat ? { payloadFormat } : {};
    const uplink = version === 'v3' ? decodeTtnV3Uplink(body, options) : decodeTtnV2Uplink(body, options);
    const stored = await this.readings.storeUplink(uplink, relayedBy);
    return { inserted: stored.inserted, duplicates: stored.duplicates, deviceId: stored.device.id };
  }

  async safecast(body: unknown, relayedBy: UplinkRelay | null): Promise<StoredUplink> {
    const stored = await this.readings.storeUplink(decodeSafecastDevice(body), relayedBy);
    return { inserted: stored.inserted, duplicates: stored.duplicates, deviceId: stored.device.id };
  }

  /** A Sensor.Community station: its registration names it, and it sends its token as the password. */
  async airrohr(
    body: unknown,
    sensorHeader: string | undefined,
    token: string | undefined,
  ): Promise<StoredUplink> {
    const uplink = decodeAirrohrPush(body, sensorHeader, this.clock.now().getTime());
    const device = await this.devices.authenticate(token);
    if (device.network !== 'airrohr' || device.externalId !== uplink.device.externalId) {
      throw new TallyError(
        'invalid_device_token',
        `That token is not the one of the Sensor.Community station ${uplink.device.externalId}`,
      );
    }
    const outcome = await this.readings.store(device, uplink.readings);
    return { ...outcome, deviceId: device.id };
  }

  /** Tally's JSON batch, from a device with its token (the HTTP API and the device's MQTT topic). */
  async json(body: unknown, token: string | undefined, deviceId?: string): Promise<StoredUplink> {
    const device = await this.devices.authenticate(token, deviceId);
    const outcome = await this.readings.store(device, decodeTallyJsonBatch(body));
    return { ...outcome, deviceId: device.id };
  }

  async csv(text: string, token: string | undefined): Promise<StoredUplink> {
    const device = await this.devices.authenticate(token);
    // Rows are numbered as in the file, the header being row 1.
    const outcome = await this.readings.store(device, decodeTallyCsv(text), (index) => `/rows/${index + 2}`);
    return { ...outcome, deviceId: device.id };
  }
}
