/**
 * Counts per minute per µSv/h (Cs-137) of the Geiger–Müller tubes volunteer networks use, as Safecast
 * publishes them. A device's own factor is stored with it; these are only the defaults offered when a
 * device is registered with a known tube.
 */
const cpmPerMicrosievertPerHour: Record<string, number> = {
  'lnd 7317': 334,
  'lnd 7318': 334,
  'lnd 7318u': 334,
  'lnd 7318c': 334,
  'lnd 7128': 108,
  'lnd 7128ec': 108,
  'lnd 712': 108,
  'lnd 712u': 108,
  'sbm-20': 175.43,
  j305: 123.147,
};

export function defaultCpmPerUnit(sensor: string): number | null {
  return cpmPerMicrosievertPerHour[sensor.trim().toLowerCase().replace(/\s+/g, ' ')] ?? null;
}
