import type { DecodedUplink } from './decoded-reading.js';
import {
  devicePlace,
  isRecord,
  malformed,
  matchOf,
  nameTable,
  numberFrom,
  pascalToHpa,
  pointer,
  requireId,
  requireInstant,
  toReadings,
  type ValueMatch,
} from './values.js';

// Safecast's real-time device records (Safecast/safecastapi `device_stories`, as Safecast's ingest
// publishes them): one flat object per capture, radiation as counts per minute per tube, pressure in Pa.
// The LND 7318 comes first because it is the bGeigie family's pancake tube, whose factor is Tally's
// default; a device with two tubes then always reports the same one. `dev_temp` is the case's own
// temperature, not the air's, and is left out.
const safecastNames = nameTable([
  ['radiation', 'cpm', ['lnd_7318u', 'lnd_7318c', 'lnd_712u', 'lnd_7128ec']],
  ['pm1', 'native', ['pms_pm01_0', 'opc_pm01_0']],
  ['pm2_5', 'native', ['pms_pm02_5', 'opc_pm02_5']],
  ['pm10', 'native', ['pms_pm10_0', 'opc_pm10_0']],
  ['temperature', 'native', ['env_temp']],
  ['humidity', 'native', ['env_humid']],
  ['pressure', 'native', ['env_press'], pascalToHpa],
  ['battery', 'native', ['bat_voltage']],
]);

export function decodeSafecastDevice(body: unknown): DecodedUplink {
  if (!isRecord(body)) throw malformed('', 'must be a JSON object');
  const externalId = requireId(body.device_urn, '/device_urn');
  const capturedAt = requireInstant(body.when_captured, '/when_captured');
  const matches: ValueMatch[] = [];
  for (const [name, named] of safecastNames) {
    const raw = body[name];
    if (raw === undefined || raw === null) continue;
    const value = numberFrom(raw);
    if (value === null) throw malformed(pointer(name), 'must be a number');
    matches.push(matchOf(named, value));
  }
  const readings = toReadings(matches, capturedAt, devicePlace(body.loc_lat, body.loc_lon, body.loc_alt));
  if (readings.length === 0) throw malformed('', 'carries no value Tally reads');
  return { device: { network: 'safecast', externalId }, readings };
}
