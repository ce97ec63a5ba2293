import type { DecodedUplink } from './decoded-reading.js';
import {
  devicePlace,
  isRecord,
  malformed,
  matchOf,
  type NamedValue,
  nameTable,
  numberFrom,
  pascalToHpa,
  requireId,
  toReadings,
  type ValueMatch,
} from './values.js';

// The airrohr firmware (opendata-stuttgart/sensors-software, `add_Value2Json`) names each value by sensor
// and measure, always as a string, pressure in Pa. A station with two sensors for one quantity keeps the
// earlier one here. PPD42NS values (`PPD_P1`) are particle counts, not µg/m³, and are left out.
const airrohrNames = nameTable([
  ['pm1', 'native', ['PMS_P0', 'SPS30_P0', 'NPM_P0']],
  ['pm2_5', 'native', ['SDS_P2', 'PMS_P2', 'SPS30_P2', 'HPM_P2', 'NPM_P2']],
  ['pm10', 'native', ['SDS_P1', 'PMS_P1', 'SPS30_P1', 'HPM_P1', 'NPM_P1']],
  [
    'temperature',
    'native',
    [
      'BME280_temperature',
      'SHT3X_temperature',
      'BMP280_temperature',
      'BMP_temperature',
      'HTU21D_temperature',
      'temperature',
      'SCD30_temperature',
      'DS18B20_temperature',
      '*_temperature',
    ],
  ],
  [
    'humidity',
    'native',
    ['BME280_humidity', 'SHT3X_humidity', 'HTU21D_humidity', 'humidity', 'SCD30_humidity', '*_humidity'],
  ],
  ['pressure', 'native', ['BME280_pressure', 'BMP280_pressure', 'BMP_pressure', '*_pressure'], pascalToHpa],
  ['co2', 'native', ['SCD30_co2_ppm']],
  ['noise', 'native', ['DNMS_noise_LAeq', 'noise_LAeq']],
]);

/** Any sensor's temperature, humidity and pressure are in °C, % and Pa, so a new prefix still reads. */
function namedAs(valueType: string): NamedValue | undefined {
  return (
    airrohrNames.get(valueType) ??
    airrohrNames.get(valueType.replace(/^[A-Za-z0-9]+_(?=(temperature|humidity|pressure)$)/, '*_'))
  );
}

/**
 * A Sensor.Community (airrohr) push. The station names itself in the `X-Sensor` header (`esp8266-…`,
 * `esp32-…`); older bodies carry `esp8266id` instead. The body has no time, so `receivedAt` is used.
 */
export function decodeAirrohrPush(
  body: unknown,
  sensorHeader: string | undefined,
  receivedAt: number,
): DecodedUplink {
  if (!isRecord(body)) throw malformed('', 'must be a JSON object');
  const externalId = stationOf(body, sensorHeader);
  const values = body.sensordatavalues;
  if (!Array.isArray(values)) throw malformed('/sensordatavalues', 'must be an array');
  const byType = new Map<string, unknown>();
  const matches: ValueMatch[] = [];
  values.forEach((entry, index) => {
    if (!isRecord(entry)) throw malformed(`/sensordatavalues/${index}`, 'must be an object');
    if (typeof entry.value_type !== 'string') {
      throw malformed(`/sensordatavalues/${index}/value_type`, 'must be a string');
    }
    byType.set(entry.value_type, entry.value);
    const named = namedAs(entry.value_type);
    if (!named) return;
    const value = numberFrom(entry.value);
    if (value === null) throw malformed(`/sensordatavalues/${index}/value`, 'must be a number');
    matches.push(matchOf(named, value));
  });
  const place = devicePlace(byType.get('GPS_lat'), byType.get('GPS_lon'), byType.get('GPS_height'));
  const readings = toReadings(matches, receivedAt, place);
  if (readings.length === 0) throw malformed('/sensordatavalues', 'carries no value Tally reads');
  return { device: { network: 'airrohr', externalId }, readings };
}

function stationOf(body: Record<string, unknown>, sensorHeader: string | undefined): string {
  if (typeof sensorHeader === 'string' && sensorHeader.trim() !== '') {
    return requireId(sensorHeader.trim(), 'header/X-Sensor');
  }
  const chipId = body.esp8266id;
  if (chipId === undefined || chipId === null || chipId === '') {
    throw malformed('header/X-Sensor', 'must name the station (esp8266-…), or the body must give esp8266id');
  }
  const readable =
    (typeof chipId === 'number' && Number.isSafeInteger(chipId) && chipId >= 0) ||
    (typeof chipId === 'string' && /^[0-9A-Za-z]{1,32}$/.test(chipId));
  if (!readable) throw malformed('/esp8266id', 'must be the chip id, e.g. 12345678');
  return `esp8266-${chipId}`;
}
