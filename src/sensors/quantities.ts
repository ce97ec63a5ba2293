/**
 * What a sensor can measure, in the one unit Tally stores and shows for it, with the range outside which a
 * value is physically impossible (refused, never stored). Radiation arrives as counts per minute and is
 * converted with the device's own factor (an LND 7317 tube: 334 CPM per µSv/h); every other quantity
 * arrives in its unit.
 */
export const quantities = {
  radiation: { unit: 'µSv/h', label: 'Radiation dose rate', min: 0, max: 100_000 },
  pm1: { unit: 'µg/m³', label: 'PM1', min: 0, max: 10_000 },
  pm2_5: { unit: 'µg/m³', label: 'PM2.5', min: 0, max: 10_000 },
  pm10: { unit: 'µg/m³', label: 'PM10', min: 0, max: 10_000 },
  temperature: { unit: '°C', label: 'Temperature', min: -90, max: 90 },
  humidity: { unit: '%', label: 'Relative humidity', min: 0, max: 100 },
  pressure: { unit: 'hPa', label: 'Air pressure', min: 300, max: 1_100 },
  co2: { unit: 'ppm', label: 'CO₂', min: 0, max: 100_000 },
  illuminance: { unit: 'lx', label: 'Illuminance', min: 0, max: 200_000 },
  uv: { unit: 'µW/cm²', label: 'UV intensity', min: 0, max: 100_000 },
  noise: { unit: 'dB(A)', label: 'Noise level', min: 0, max: 200 },
  battery: { unit: 'V', label: 'Battery voltage', min: 0, max: 100 },
} as const satisfies Record<string, { unit: string; label: string; min: number; max: number }>;

export type Quantity = keyof typeof quantities;

export const quantityNames = Object.keys(quantities) as Quantity[];

export function isQuantity(name: string): name is Quantity {
  return Object.hasOwn(quantities, name);
}

/** Counts per minute are the one raw unit a decoder may give instead of the quantity's own. */
export const countsPerMinute = 'cpm';
