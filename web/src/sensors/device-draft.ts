/** The registration form's values, and the API body they make or the reasons they cannot make one. */
import {
  type DevicePreset,
  type Mobility,
  type PayloadFormat,
  type PresetId,
  presetById,
  type Quantity,
} from './device-presets';
import { t } from './strings';
import type { FieldErrors } from './use-checked-form';

export interface DeviceDraft {
  preset: PresetId;
  name: string;
  model: string;
  sensor: string;
  quantity: Quantity;
  cpmPerUnit: string;
  serial: string;
  mobility: Mobility;
  lat: string;
  lon: string;
  precision: 'exact' | 'coarse';
  externalId: string;
  payloadFormat: PayloadFormat;
}

export type DraftField = 'name' | 'model' | 'sensor' | 'cpmPerUnit' | 'lat' | 'externalId';
export type DraftErrors = FieldErrors<DraftField>;

export function emptyDraft(preset: DevicePreset = presetById('bgeigie')): DeviceDraft {
  return {
    preset: preset.id,
    name: '',
    model: preset.model,
    sensor: preset.sensor,
    quantity: preset.quantity,
    cpmPerUnit: '',
    serial: '',
    mobility: preset.mobility,
    lat: '',
    lon: '',
    // A home is the usual place for a station: hide it unless the owner says otherwise.
    precision: 'coarse',
    externalId: '',
    payloadFormat: 'decoded',
  };
}

/** Another kind of device: its model, sensor and mobility; what the owner typed about themselves stays. */
export function withPreset(draft: DeviceDraft, preset: DevicePreset): DeviceDraft {
  const fresh = emptyDraft(preset);
  return { ...fresh, name: draft.name, lat: draft.lat, lon: draft.lon, precision: draft.precision };
}

/** The API names the fields it refused with JSON pointers; these are the ones the form shows. */
export const fieldOfPointer: Record<string, DraftField> = {
  '/name': 'name',
  '/model': 'model',
  '/sensor': 'sensor',
  '/cpm_per_unit': 'cpmPerUnit',
  '/location': 'lat',
  '/external_id': 'externalId',
};

function coordinates(draft: DeviceDraft): { lat: number; lon: number } | { error: string } {
  if (draft.lat.trim() === '' || draft.lon.trim() === '') return { error: t.register.coordinatesRequired };
  const lat = Number(draft.lat);
  const lon = Number(draft.lon);
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return { error: t.register.badCoordinates };
  return { lat, lon };
}

/** The body of `POST /api/v1/sensors/devices`, or the fields to correct. */
export function deviceBody(draft: DeviceDraft): { body: Record<string, unknown> } | { errors: DraftErrors } {
  const preset = presetById(draft.preset);
  const errors: DraftErrors = {};
  const body: Record<string, unknown> = {
    name: draft.name.trim(),
    model: draft.model.trim(),
    sensor: draft.sensor.trim(),
    quantity: draft.quantity,
    mobility: draft.mobility,
  };
  if (!draft.name.trim()) errors.name = t.register.nameRequired;
  if (!draft.model.trim()) errors.model = t.register.modelRequired;
  if (!draft.sensor.trim()) errors.sensor = t.register.sensorRequired;
  if (draft.quantity === 'radiation' && draft.cpmPerUnit.trim() !== '') {
    const factor = Number(draft.cpmPerUnit);
    if (Number.isFinite(factor) && factor > 0) body.cpm_per_unit = factor;
    else errors.cpmPerUnit = t.register.badFactor;
  }
  if (preset.asksSerial && draft.serial.trim()) body.serial = draft.serial.trim();
  if (draft.mobility === 'fixed') {
    const place = coordinates(draft);
    if ('error' in place) errors.lat = place.error;
    else body.location = place;
    body.location_precision = draft.precision;
  }
  if (preset.network) {
    const externalId = draft.externalId.trim();
    if (!externalId) errors.externalId = t.register.externalIdRequired;
    else if (preset.network === 'ttn' && !/^[^/\s]+\/[^/\s]+$/.test(externalId))
      errors.externalId = t.register.badTtnId;
    body.network = preset.network;
    body.external_id = externalId;
    if (preset.network === 'ttn' && draft.payloadFormat !== 'decoded')
      body.payload_format = draft.payloadFormat;
  }
  return Object.keys(errors).length > 0 ? { errors } : { body };
}
