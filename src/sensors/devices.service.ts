import { createHash, randomBytes } from 'node:crypto';
import { type Actor, hasRole, requireRole, type UserActor } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import { TallyError, validationError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { PublicRecord } from '../ledger/public-record.js';
import {
  type Device,
  type LocationPrecision,
  type Mobility,
  type Position,
  publicPosition,
} from './device.js';
import type { DevicesRepository } from './devices.repository.js';
import { type Quantity, quantities } from './quantities.js';
import { defaultCpmPerUnit } from './tubes.js';

export interface DeviceInput {
  name: string;
  model: string;
  sensor: string;
  quantity?: Quantity;
  cpmPerUnit?: number | null;
  mobility: Mobility;
  location?: Position | null;
  locationPrecision?: LocationPrecision;
  network?: string | null;
  externalId?: string | null;
  hardwareId?: string | null;
  serial?: string | null;
  payloadFormat?: string | null;
}

export interface RegisteredDevice {
  device: Device;
  /** Shown once: the device sends it with every reading. Only its hash is kept. */
  token: string;
}

const tokenPrefix = 'tlyd_';

export function isDeviceToken(token: string): boolean {
  return token.startsWith(tokenPrefix);
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(): string {
  return `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
}

/** What anyone may know of a device: never its exact place or its owner. */
export function publicDeviceContent(device: Device) {
  return {
    id: device.id,
    name: device.name,
    model: device.model,
    sensor: device.sensor,
    quantity: device.quantity,
    unit: quantities[device.quantity].unit,
    cpm_per_unit: device.cpmPerUnit,
    mobility: device.mobility,
    location: device.publicLocation,
    location_precision: device.locationPrecision,
  };
}

/** Sensor owners register their devices themselves; each device gets its own token to send readings with. */
export class DevicesService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly record: PublicRecord,
    private readonly clock: Clock,
  ) {}

  async register(actor: Actor, input: DeviceInput): Promise<RegisteredDevice> {
    const owner = requireRole(actor, 'reporter', 'register a device');
    const now = this.clock.now().toISOString();
    const device = this.build({ id: uuidv7(), ownerId: owner.userId, createdAt: now, updatedAt: now }, input);
    const token = newToken();
    const changes = [
      this.record.change('device.registered', `device:${device.id}`, owner, this.content(device)),
    ];
    if (!(await this.devices.insert(device, hashToken(token), changes))) throw this.externalIdTaken(device);
    return { device, token };
  }

  async update(actor: Actor, id: string, input: Partial<DeviceInput>): Promise<Device> {
    const owner = requireRole(actor, 'reporter', 'change a device');
    const current = await this.owned(owner, id);
    const merged: DeviceInput = {
      name: input.name ?? current.name,
      model: input.model ?? current.model,
      sensor: input.sensor ?? current.sensor,
      quantity: input.quantity ?? current.quantity,
      cpmPerUnit: input.cpmPerUnit !== undefined ? input.cpmPerUnit : current.cpmPerUnit,
      mobility: input.mobility ?? current.mobility,
      location: input.location !== undefined ? input.location : current.location,
      locationPrecision: input.locationPrecision ?? current.locationPrecision,
      network: input.network !== undefined ? input.network : current.network,
      externalId: input.externalId !== undefined ? input.externalId : current.externalId,
      hardwareId: input.hardwareId !== undefined ? input.hardwareId : current.hardwareId,
      serial: input.serial !== undefined ? input.serial : current.serial,
      payloadFormat: input.payloadFormat !== undefined ? input.payloadFormat : current.payloadFormat,
    };
    const device = this.build(
      {
        id,
        ownerId: current.ownerId,
        createdAt: current.createdAt,
        updatedAt: this.clock.now().toISOString(),
      },
      merged,
    );
    device.lastReadingAt = current.lastReadingAt;
    const changes = [this.record.change('device.updated', `device:${id}`, owner, this.content(device))];
    if (!(await this.devices.update(device, changes))) throw this.externalIdTaken(device);
    return device;
  }

  /** A new token for the device; the old one stops working at once. */
  async rotateToken(actor: Actor, id: string): Promise<RegisteredDevice> {
    const owner = requireRole(actor, 'reporter', 'change a device');
    const device = await this.owned(owner, id);
    const token = newToken();
    await this.devices.replaceToken(id, hashToken(token), this.clock.now().toISOString());
    return { device, token };
  }

  async get(id: string): Promise<Device> {
    const device = await this.devices.findById(id);
    if (!device) throw new TallyError('device_not_found', `No device ${id}`);
    return device;
  }

  /** A device its owner (or a coordinator) may change. */
  async owned(actor: UserActor, id: string): Promise<Device> {
    const device = await this.devices.findById(id);
    if (!device || (device.ownerId !== actor.userId && !hasRole(actor, 'coordinator'))) {
      throw new TallyError('device_not_found', `You have no device ${id}`);
    }
    return device;
  }

  list(filter: { ownerId?: string } = {}): Promise<Device[]> {
    return this.devices.list(filter);
  }

  /** The device a token belongs to; a missing or unknown token is refused. */
  async authenticate(token: string | undefined, deviceId?: string): Promise<Device> {
    const device =
      token && isDeviceToken(token) ? await this.devices.findByTokenHash(hashToken(token)) : undefined;
    if (!device || (deviceId !== undefined && device.id !== deviceId)) {
      throw new TallyError(
        'invalid_device_token',
        deviceId ? `That is not the token of device ${deviceId}` : 'Send the device token as a Bearer token',
      );
    }
    return device;
  }

  /** A device known on another network (The Things Network, Sensor.Community, Safecast). */
  async byExternalId(network: string, externalId: string, hardwareId?: string | null): Promise<Device> {
    const device = await this.devices.findByExternalId(network, externalId);
    if (!device || (device.hardwareId && hardwareId && device.hardwareId !== hardwareId)) {
      throw new TallyError(
        'unknown_device',
        `No device is registered as ${network} ${externalId}; its owner registers it with network "${network}" and external_id "${externalId}"`,
      );
    }
    return device;
  }

  async byExternalIdOrNull(network: string, externalId: string): Promise<Device | null> {
    return (await this.devices.findByExternalId(network, externalId)) ?? null;
  }

  /** The owner's drive logger writing this serial, registered on first import when there is none. */
  async forLogSerial(owner: UserActor, serial: string, model: string): Promise<Device> {
    const existing = await this.devices.findBySerial(owner.userId, serial);
    if (existing) return existing;
    const { device } = await this.register(owner, {
      name: `${model} ${serial}`,
      model,
      sensor: 'LND 7317',
      quantity: 'radiation',
      mobility: 'mobile',
      serial,
    });
    return device;
  }

  noteReading(id: string, at: string): Promise<void> {
    return this.devices.touch(id, at);
  }

  private content(device: Device) {
    return publicDeviceContent(device);
  }

  private externalIdTaken(device: Device): TallyError {
    return validationError('/external_id', `${device.network} ${device.externalId} is already registered`);
  }

  private build(
    identity: Pick<Device, 'id' | 'ownerId' | 'createdAt' | 'updatedAt'>,
    input: DeviceInput,
  ): Device {
    const name = input.name.trim();
    if (!name) throw validationError('/name', 'must not be empty');
    const quantity = input.quantity ?? 'radiation';
    // A known tube brings its factor, whatever the device mostly measures (a Solarcast counts and samples air).
    const cpmPerUnit = input.cpmPerUnit ?? defaultCpmPerUnit(input.sensor);
    if (cpmPerUnit !== null && !(cpmPerUnit > 0)) {
      throw validationError('/cpm_per_unit', 'must be a positive number of counts per minute per µSv/h');
    }
    if (input.mobility === 'fixed' && !input.location) {
      throw validationError('/location', 'a fixed device needs its location');
    }
    if ((input.network ? 1 : 0) + (input.externalId ? 1 : 0) === 1) {
      throw validationError('/external_id', 'network and external_id go together');
    }
    const location = input.mobility === 'fixed' ? (input.location ?? null) : null;
    const locationPrecision = input.locationPrecision ?? 'coarse';
    return {
      ...identity,
      name,
      model: input.model.trim(),
      sensor: input.sensor.trim(),
      quantity,
      cpmPerUnit,
      mobility: input.mobility,
      location,
      publicLocation: publicPosition(location, locationPrecision),
      locationPrecision,
      network: input.network ?? null,
      externalId: input.externalId ?? null,
      hardwareId: input.hardwareId ? input.hardwareId.toUpperCase() : null,
      serial: input.serial ?? null,
      payloadFormat: input.payloadFormat ?? null,
      lastReadingAt: null,
    };
  }
}
