import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import type { Device, LocationPrecision, Mobility } from './device.js';
import type { Quantity } from './quantities.js';

type Row = Database['devices'];
type DeviceQuery = SelectQueryBuilder<Database, 'devices', Row>;

function toDevice(row: Row): Device {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    model: row.model,
    sensor: row.sensor,
    quantity: row.quantity as Quantity,
    cpmPerUnit: row.cpm_per_unit,
    mobility: row.mobility as Mobility,
    location: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
    publicLocation:
      row.public_lat === null || row.public_lon === null
        ? null
        : { lat: row.public_lat, lon: row.public_lon },
    locationPrecision: row.location_precision as LocationPrecision,
    network: row.network,
    externalId: row.external_id,
    hardwareId: row.hardware_id,
    serial: row.serial,
    payloadFormat: row.payload_format,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastReadingAt: row.last_reading_at,
  };
}

function toRow(device: Device, tokenHash: string): Row {
  return {
    id: device.id,
    owner_id: device.ownerId,
    name: device.name,
    model: device.model,
    sensor: device.sensor,
    quantity: device.quantity,
    cpm_per_unit: device.cpmPerUnit,
    mobility: device.mobility,
    lat: device.location?.lat ?? null,
    lon: device.location?.lon ?? null,
    public_lat: device.publicLocation?.lat ?? null,
    public_lon: device.publicLocation?.lon ?? null,
    location_precision: device.locationPrecision,
    network: device.network,
    external_id: device.externalId,
    hardware_id: device.hardwareId,
    serial: device.serial,
    payload_format: device.payloadFormat,
    token_hash: tokenHash,
    created_at: device.createdAt,
    updated_at: device.updatedAt,
    last_reading_at: device.lastReadingAt,
  };
}

export class DevicesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Registrations and changes of a device are public, recorded in the same transaction. */
    private readonly ledger: LedgerRepository,
  ) {}

  /** False when another device already has the same id on the same network. */
  async insert(device: Device, tokenHash: string, changes: readonly LedgerChange[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (device.network && device.externalId) {
        const taken = await trx
          .selectFrom('devices')
          .select('id')
          .where('network', '=', device.network)
          .where('external_id', '=', device.externalId)
          .executeTakeFirst();
        if (taken) return false;
      }
      await trx.insertInto('devices').values(toRow(device, tokenHash)).execute();
      await this.ledger.append(trx, changes);
      return true;
    });
  }

  async update(device: Device, changes: readonly LedgerChange[]): Promise<boolean> {
    const {
      id,
      token_hash: _token,
      created_at: _created,
      last_reading_at: _last,
      ...columns
    } = toRow(device, '');
    return this.db.transaction().execute(async (trx) => {
      if (device.network && device.externalId) {
        const taken = await trx
          .selectFrom('devices')
          .select('id')
          .where('network', '=', device.network)
          .where('external_id', '=', device.externalId)
          .where('id', '<>', id)
          .executeTakeFirst();
        if (taken) return false;
      }
      await trx.updateTable('devices').set(columns).where('id', '=', id).execute();
      await this.ledger.append(trx, changes);
      return true;
    });
  }

  async replaceToken(id: string, tokenHash: string, updatedAt: string): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({ token_hash: tokenHash, updated_at: updatedAt })
      .where('id', '=', id)
      .execute();
  }

  findById(id: string): Promise<Device | undefined> {
    return this.findOne((query) => query.where('id', '=', id));
  }

  findByTokenHash(tokenHash: string): Promise<Device | undefined> {
    return this.findOne((query) => query.where('token_hash', '=', tokenHash));
  }

  findByExternalId(network: string, externalId: string): Promise<Device | undefined> {
    return this.findOne((query) =>
      query.where('network', '=', network).where('external_id', '=', externalId),
    );
  }

  /** The owner's drive logger that writes this serial on its lines. */
  findBySerial(ownerId: string, serial: string): Promise<Device | undefined> {
    return this.findOne((query) =>
      query.where('owner_id', '=', ownerId).where('serial', '=', serial).orderBy('created_at'),
    );
  }

  private async findOne(narrow: (query: DeviceQuery) => DeviceQuery): Promise<Device | undefined> {
    const row = await narrow(this.db.selectFrom('devices').selectAll()).executeTakeFirst();
    return row ? toDevice(row) : undefined;
  }

  async list(filter: { ownerId?: string }): Promise<Device[]> {
    let query = this.db.selectFrom('devices').selectAll();
    if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(toDevice);
  }

  async touch(id: string, lastReadingAt: string): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({ last_reading_at: lastReadingAt })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_reading_at', 'is', null), eb('last_reading_at', '<', lastReadingAt)]))
      .execute();
  }
}
