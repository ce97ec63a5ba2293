/**
 * The kinds of device volunteers' networks use, and what registering one needs. A preset fills in the
 * model, sensor and mobility (all still editable) and decides which other fields the form asks for.
 */

export type PresetId = 'bgeigie' | 'station' | 'airrohr' | 'ttn';
export type Network = 'airrohr' | 'ttn';
export type Mobility = 'fixed' | 'mobile';

/** What a device mostly measures, in the API's names; the form offers them for The Things Network's devices. */
export const quantities = [
  'radiation',
  'pm2_5',
  'pm10',
  'temperature',
  'humidity',
  'pressure',
  'co2',
  'noise',
] as const;
export type Quantity = (typeof quantities)[number];

export interface DevicePreset {
  id: PresetId;
  model: string;
  sensor: string;
  quantity: Quantity;
  mobility: Mobility;
  /** A drive logger names itself by serial in every line; its logs are filed under the device with it. */
  asksSerial: boolean;
  /** Devices on another network are found by their id there when their readings arrive. */
  network: Network | null;
  /** A LoRaWAN node may carry any sensor, and may ride in a car or sit on a roof. */
  open: boolean;
}

export const presets: readonly DevicePreset[] = [
  {
    id: 'bgeigie',
    model: 'bGeigie Nano',
    sensor: 'LND 7317',
    quantity: 'radiation',
    mobility: 'mobile',
    asksSerial: true,
    network: null,
    open: false,
  },
  {
    id: 'station',
    model: 'Pointcast',
    sensor: 'LND 7318U',
    quantity: 'radiation',
    mobility: 'fixed',
    asksSerial: false,
    network: null,
    open: false,
  },
  {
    id: 'airrohr',
    model: 'airrohr',
    sensor: 'SDS011',
    quantity: 'pm2_5',
    mobility: 'fixed',
    asksSerial: false,
    network: 'airrohr',
    open: false,
  },
  {
    id: 'ttn',
    model: '',
    sensor: '',
    quantity: 'radiation',
    mobility: 'fixed',
    asksSerial: false,
    network: 'ttn',
    open: true,
  },
];

export function presetById(id: PresetId): DevicePreset {
  return presets.find((preset) => preset.id === id) ?? (presets[0] as DevicePreset);
}

export const payloadFormats = ['decoded', 'cayenne-lpp', 'sensebox-home'] as const;
export type PayloadFormat = (typeof payloadFormats)[number];
