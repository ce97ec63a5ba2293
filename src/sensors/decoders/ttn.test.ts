import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TallyError } from '../../errors.js';
import { decodeCayenneLpp, decodeSenseBoxHome, decodeTtnV2Uplink, decodeTtnV3Uplink } from './ttn.js';
import { instantExpected } from './values.js';

const samples = path.resolve(import.meta.dirname, '../../../../shared/data/sensors');
const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(samples, name), 'utf8'));

// The Things Network v3 uplink with a Cayenne LPP payload, from sensebox/ttn-osem-integration's test data (MIT).
const v3Sample = () => sample('ttn-v3-uplink-cayennelpp.json') as { uplink_message: Record<string, unknown> };
// The Things Network v2 uplink with senseBox:home bytes, from sensebox/ttn-osem-integration's test data (MIT).
const v2Sample = () => sample('ttn-v2-uplink-sbhome.json');

const receivedAt = Date.parse('2021-02-18T10:47:46.365Z');

function v3(payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    end_device_ids: { device_id: 'node-1', application_ids: { application_id: 'tally-test' } },
    uplink_message: { received_at: '2021-02-18T10:47:46.365072191Z', ...payload },
    ...extra,
  };
}

const decoded = (values: Record<string, unknown>) =>
  decodeTtnV3Uplink(v3({ decoded_payload: values })).readings;
const base64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
const malformed = (field: string, message: string) => ({
  name: 'TallyError',
  code: 'malformed_readings',
  errors: [{ field, message }],
});

describe('decodeTtnV3Uplink', () => {
  it('names the sample device by application and device id, with its DevEUI', () => {
    assert.deepEqual(decodeTtnV3Uplink(v3Sample()).device, {
      network: 'ttn',
      externalId: 'sensebox-cayenne/cayenne-1',
      hardwareId: '1F2B8ACE35B91823',
    });
  });

  it('times the sample by the network’s receipt of the uplink, not by when it was forwarded', () => {
    for (const reading of decodeTtnV3Uplink(v3Sample()).readings)
      assert.equal(reading.capturedAt, receivedAt);
  });

  it('reads temperature, humidity, pressure and illuminance from the sample’s decoded payload', () => {
    assert.deepEqual(decodeTtnV3Uplink(v3Sample()).readings, [
      { quantity: 'temperature', value: 23, unit: 'native', capturedAt: receivedAt },
      { quantity: 'humidity', value: 0, unit: 'native', capturedAt: receivedAt },
      { quantity: 'pressure', value: 1023, unit: 'native', capturedAt: receivedAt },
      { quantity: 'illuminance', value: 1451, unit: 'native', capturedAt: receivedAt },
    ]);
  });

  it('gives no place for the sample’s all-zero GPS fix', () => {
    for (const reading of decodeTtnV3Uplink(v3Sample()).readings) assert.equal('lat' in reading, false);
  });

  it('decodes the sample’s bytes to the same Cayenne LPP names as its decoded payload', () => {
    const { frm_payload, decoded_payload } = v3Sample().uplink_message;
    const fromBytes = decodeCayenneLpp(Buffer.from(String(frm_payload), 'base64'));
    assert.deepEqual(Object.keys(fromBytes).sort(), Object.keys(decoded_payload as object).sort());
  });

  it('agrees with the sample’s decoded payload on illuminance, humidity, analog input, accelerometer and GPS', () => {
    const { frm_payload, decoded_payload } = v3Sample().uplink_message;
    const fromBytes = decodeCayenneLpp(Buffer.from(String(frm_payload), 'base64'));
    const fromNetwork = decoded_payload as Record<string, unknown>;
    for (const name of ['luminosity_1', 'relative_humidity_1', 'analog_in_1', 'accelerometer_1', 'gps_1']) {
      assert.deepEqual(fromBytes[name], fromNetwork[name], name);
    }
  });

  it('shows the sample’s decoded payload was edited by hand: its bytes hold 0 °C and 0 hPa, not 23 and 1023', () => {
    const { frm_payload, decoded_payload } = v3Sample().uplink_message;
    const fromBytes = decodeCayenneLpp(Buffer.from(String(frm_payload), 'base64'));
    assert.deepEqual(
      [fromBytes.temperature_1, fromBytes.barometric_pressure_1],
      [0, 0],
      'the bytes: 01 67 00 00 and 01 73 00 00',
    );
    assert.deepEqual(
      [
        (decoded_payload as Record<string, unknown>).temperature_1,
        (decoded_payload as Record<string, unknown>).barometric_pressure_1,
      ],
      [23, 1023],
    );
  });

  it('reads the sample’s bytes as Cayenne LPP when the decoded payload is absent', () => {
    const uplink = v3Sample();
    delete uplink.uplink_message.decoded_payload;
    assert.deepEqual(
      decodeTtnV3Uplink(uplink).readings.map(({ quantity, value }) => [quantity, value]),
      [
        ['temperature', 0],
        ['humidity', 0],
        ['pressure', 0],
        ['illuminance', 1451],
      ],
    );
  });

  it('places the readings where a GPS channel in the payload says', () => {
    const [reading] = decoded({
      temperature_1: 20,
      gps_2: { latitude: 52.3655, longitude: 4.8885, altitude: 21.54 },
    });
    assert.deepEqual(reading, {
      quantity: 'temperature',
      value: 20,
      unit: 'native',
      capturedAt: receivedAt,
      lat: 52.3655,
      lon: 4.8885,
      altitude: 21.54,
    });
  });

  it('places the readings where top-level latitude and longitude in the payload say', () => {
    const [reading] = decoded({ temperature: 20, latitude: 51.9633, longitude: 7.6833 });
    assert.deepEqual([reading?.lat, reading?.lon, reading?.altitude], [51.9633, 7.6833, undefined]);
  });

  it('uses the location registered for the device when the payload has none', () => {
    const uplink = v3({
      decoded_payload: { temperature: 20 },
      locations: { user: { latitude: 51.96, longitude: 7.62, altitude: 60, source: 'SOURCE_REGISTRY' } },
    });
    const [reading] = decodeTtnV3Uplink(uplink).readings;
    assert.deepEqual([reading?.lat, reading?.lon, reading?.altitude], [51.96, 7.62, 60]);
  });

  it('prefers a location the device sent over the one its owner registered', () => {
    const uplink = v3({
      decoded_payload: { temperature: 20 },
      locations: {
        user: { latitude: 51.96, longitude: 7.62 },
        'frm-payload': { latitude: 52.1, longitude: 7.7, source: 'SOURCE_GPS' },
      },
    });
    const [reading] = decodeTtnV3Uplink(uplink).readings;
    assert.deepEqual([reading?.lat, reading?.lon], [52.1, 7.7]);
  });

  it('falls back to the message’s received_at when the uplink has none of its own', () => {
    const uplink = v3(
      { decoded_payload: { temperature: 20 } },
      { received_at: '2021-02-18T10:47:46.570559141Z' },
    );
    delete (uplink.uplink_message as Record<string, unknown>).received_at;
    assert.equal(decodeTtnV3Uplink(uplink).readings[0]?.capturedAt, Date.parse('2021-02-18T10:47:46.570Z'));
  });

  it('reads Cayenne channel names like the plain names', () => {
    const readings = decoded({
      temperature_3: 21.5,
      relative_humidity_2: 40,
      barometric_pressure_4: 1013.2,
      luminosity_5: 300,
    });
    assert.deepEqual(
      readings.map(({ quantity, value }) => [quantity, value]),
      [
        ['temperature', 21.5],
        ['humidity', 40],
        ['pressure', 1013.2],
        ['illuminance', 300],
      ],
    );
  });

  it('reads particulate matter, CO₂, noise and battery under their common spellings', () => {
    const readings = decoded({ pm1: 5, 'PM2.5': 12, pm10: 20, co2: 415, noise: 50, bat_voltage: 3.7 });
    assert.deepEqual(
      readings.map(({ quantity, value }) => [quantity, value]),
      [
        ['pm1', 5],
        ['pm2_5', 12],
        ['pm10', 20],
        ['co2', 415],
        ['noise', 50],
        ['battery', 3.7],
      ],
    );
  });

  it('keeps counts per minute from a tube as counts, for the device’s own factor', () => {
    assert.deepEqual(decoded({ lnd_7318u: 40 }), [
      { quantity: 'radiation', value: 40, unit: 'cpm', capturedAt: receivedAt },
    ]);
  });

  it('takes a dose rate in µSv/h as it is', () => {
    assert.deepEqual(decoded({ dose_rate: 0.12 }), [
      { quantity: 'radiation', value: 0.12, unit: 'native', capturedAt: receivedAt },
    ]);
  });

  it('converts a pressure given in Pa to hPa', () => {
    assert.equal(decoded({ pressure: 101325 })[0]?.value, 1013.25);
  });

  it('ignores names it does not know', () => {
    assert.deepEqual(
      decoded({ temperature: 20, firmware: '1.2.3', rssi: -80, analog_in_1: 3.3 }).map((r) => r.quantity),
      ['temperature'],
    );
  });

  it('skips a known name holding text, which the application’s formatter meant as something else', () => {
    assert.deepEqual(
      decoded({ battery: 'full', humidity: 40 }).map((r) => r.quantity),
      ['humidity'],
    );
  });

  it('keeps the earlier name in its table when two names give one quantity', () => {
    assert.equal(decoded({ temp: 19, temperature: 20 })[0]?.value, 20);
  });

  it('keeps the first of two channels of one quantity in the payload', () => {
    assert.equal(decoded({ temperature_2: 18, temperature_1: 17 })[0]?.value, 18);
  });

  it('reads the raw bytes in the given payload format even beside a decoded payload', () => {
    const uplink = v3({
      decoded_payload: { temperature: 99 },
      frm_payload: String(v2Sample().payload_raw),
    });
    const readings = decodeTtnV3Uplink(uplink, { payloadFormat: 'sensebox-home' }).readings;
    assert.equal(readings[0]?.value, -1.2);
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [null, undefined, 42, 'uplink', [], true]) {
      assert.throws(() => decodeTtnV3Uplink(body), malformed('', 'must be a JSON object'));
    }
  });

  it('refuses an uplink without its application id', () => {
    assert.throws(
      () => decodeTtnV3Uplink({ end_device_ids: { device_id: 'node-1' }, uplink_message: {} }),
      malformed('/end_device_ids/application_ids/application_id', 'is required'),
    );
  });

  it('refuses an uplink without its device id', () => {
    const uplink = v3({ decoded_payload: { temperature: 20 } });
    uplink.end_device_ids = { application_ids: { application_id: 'tally-test' } };
    assert.throws(() => decodeTtnV3Uplink(uplink), malformed('/end_device_ids/device_id', 'is required'));
  });

  it('refuses a DevEUI that is not 16 hexadecimal digits', () => {
    const uplink = v3({ decoded_payload: { temperature: 20 } });
    uplink.end_device_ids = {
      device_id: 'n',
      application_ids: { application_id: 'a' },
      dev_eui: 'not-an-eui',
    };
    assert.throws(
      () => decodeTtnV3Uplink(uplink),
      malformed('/end_device_ids/dev_eui', 'must be an EUI-64: 16 hexadecimal digits'),
    );
  });

  it('refuses a message that is not an uplink, such as a join accept', () => {
    const joinAccept = v3({});
    delete joinAccept.uplink_message;
    joinAccept.join_accept = { session_key_id: 'AXe0', received_at: '2021-02-18T10:47:46Z' };
    assert.throws(
      () => decodeTtnV3Uplink(joinAccept),
      malformed('/uplink_message', 'is required: only uplinks carry readings'),
    );
  });

  it('refuses an uplink without any received_at', () => {
    const uplink = v3({ decoded_payload: { temperature: 20 } });
    delete (uplink.uplink_message as Record<string, unknown>).received_at;
    assert.throws(() => decodeTtnV3Uplink(uplink), malformed('/uplink_message/received_at', 'is required'));
  });

  it('refuses a received_at that is not an RFC 3339 time with a zone', () => {
    const uplink = v3({ decoded_payload: { temperature: 20 }, received_at: '2021-02-18 10:47' });
    assert.throws(() => decodeTtnV3Uplink(uplink), malformed('/uplink_message/received_at', instantExpected));
  });

  it('refuses a decoded payload with no value Tally reads', () => {
    assert.throws(
      () => decoded({ analog_in_1: 3.3, firmware: '1.2.3' }),
      malformed('/uplink_message/decoded_payload', 'carries no value Tally reads'),
    );
  });

  it('refuses a decoded payload that is not an object', () => {
    assert.throws(
      () => decoded([20] as never),
      malformed('/uplink_message/decoded_payload', 'must be an object'),
    );
  });

  it('refuses an uplink with neither a decoded payload nor bytes', () => {
    assert.throws(
      () => decodeTtnV3Uplink(v3({ f_port: 1 })),
      malformed('/uplink_message/frm_payload', 'is required when there is no decoded payload'),
    );
  });

  it('refuses bytes that are not base64', () => {
    assert.throws(
      () => decodeTtnV3Uplink(v3({ frm_payload: 'not base64!' })),
      malformed('/uplink_message/frm_payload', 'must be base64'),
    );
  });

  it('refuses Cayenne LPP bytes of a type that does not exist', () => {
    assert.throws(
      () => decodeTtnV3Uplink(v3({ frm_payload: base64([1, 0x67, 0, 200, 2, 0x99, 0]) })),
      malformed('/uplink_message/frm_payload', 'byte 5: type 153 is not a Cayenne LPP type'),
    );
  });

  it('refuses Cayenne LPP bytes cut off inside a value', () => {
    assert.throws(
      () => decodeTtnV3Uplink(v3({ frm_payload: base64([1, 0x67, 0]) })),
      malformed('/uplink_message/frm_payload', 'byte 0: the temperature value on channel 1 is cut off'),
    );
  });

  it('either decodes or throws a TallyError, whatever the body', () => {
    const bodies: unknown[] = [
      {},
      { end_device_ids: null },
      { end_device_ids: { device_id: 1, application_ids: 'x' } },
      v3({ decoded_payload: { gps_1: null, temperature: Number.NaN } }),
      v3({ decoded_payload: { gps_1: 'x', ['__proto__']: 1, constructor: 2 } }),
      v3({ frm_payload: 12 }),
      v3({ frm_payload: 'A'.repeat(1_000_000) }),
      v3({ decoded_payload: { temperature: 20 }, locations: { user: null, 'frm-payload': 'x' } }),
      v3({ decoded_payload: { temperature: 20 } }, { end_device_ids: { device_id: 'x'.repeat(10_000) } }),
    ];
    for (const body of bodies) {
      try {
        decodeTtnV3Uplink(body);
      } catch (error) {
        assert.ok(error instanceof TallyError, String(error));
      }
    }
  });
});

describe('decodeTtnV2Uplink', () => {
  it('refuses the sample, which carries no metadata.time to time its readings by', () => {
    assert.throws(
      () => decodeTtnV2Uplink(v2Sample(), { payloadFormat: 'sensebox-home' }),
      malformed('/metadata/time', 'is required'),
    );
  });

  it('decodes the sample’s senseBox:home bytes once the uplink is timed', () => {
    const capturedAt = Date.parse('2017-01-01T02:03:04Z');
    const uplink = { ...v2Sample(), metadata: { time: '2017-01-01T02:03:04Z' } };
    assert.deepEqual(decodeTtnV2Uplink(uplink, { payloadFormat: 'sensebox-home' }), {
      device: { network: 'ttn', externalId: 'sensebox-ifgi/my-dev-id', hardwareId: '0102030405060708' },
      readings: [
        { quantity: 'temperature', value: -1.2, unit: 'native', capturedAt },
        { quantity: 'humidity', value: 84.9, unit: 'native', capturedAt },
        { quantity: 'pressure', value: 1017.3, unit: 'native', capturedAt },
        { quantity: 'illuminance', value: 10004, unit: 'native', capturedAt },
        { quantity: 'uv', value: 305, unit: 'native', capturedAt },
      ],
    });
  });

  it('reads payload_fields by name', () => {
    const uplink = {
      app_id: 'a',
      dev_id: 'd',
      payload_fields: { temperature: 21 },
      metadata: { time: '2020-07-27T09:38:18Z' },
    };
    assert.deepEqual(
      decodeTtnV2Uplink(uplink).readings.map(({ quantity, value }) => [quantity, value]),
      [['temperature', 21]],
    );
  });

  it('places the readings where the metadata says', () => {
    const metadata = { time: '2020-07-27T09:38:18Z', latitude: 51.9633, longitude: 7.6833, altitude: 65 };
    const uplink = { app_id: 'a', dev_id: 'd', payload_fields: { temperature: 21 }, metadata };
    const [reading] = decodeTtnV2Uplink(uplink).readings;
    assert.deepEqual([reading?.lat, reading?.lon, reading?.altitude], [51.9633, 7.6833, 65]);
  });

  it('gives the hardware serial in upper case', () => {
    const uplink = {
      app_id: 'a',
      dev_id: 'd',
      hardware_serial: '00ac1c7c7cb78972',
      payload_fields: { temperature: 21 },
      metadata: { time: '2020-07-27T09:38:18Z' },
    };
    assert.equal(decodeTtnV2Uplink(uplink).device.hardwareId, '00AC1C7C7CB78972');
  });

  it('refuses an uplink without app_id', () => {
    assert.throws(() => decodeTtnV2Uplink({ dev_id: 'd' }), malformed('/app_id', 'is required'));
  });
});

describe('decodeCayenneLpp', () => {
  // The Things Stack's own test vector (TheThingsNetwork/lorawan-stack, pkg/messageprocessors/cayennelpp).
  it('decodes every Cayenne LPP type as The Things Stack does', () => {
    const bytes = [
      ...[1, 0, 255],
      ...[2, 1, 100],
      ...[3, 2, 21, 74],
      ...[4, 3, 234, 182],
      ...[5, 101, 1, 244],
      ...[6, 102, 50],
      ...[7, 103, 255, 100],
      ...[8, 104, 99],
      ...[9, 113, 254, 88, 0, 15, 6, 130],
      ...[10, 115, 41, 239],
      ...[11, 134, 1, 99, 2, 49, 254, 102],
      ...[12, 136, 7, 253, 135, 0, 190, 245, 0, 8, 106],
    ];
    assert.deepEqual(decodeCayenneLpp(Uint8Array.from(bytes)), {
      digital_in_1: 255,
      digital_out_2: 100,
      analog_in_3: 54.5,
      analog_out_4: -54.5,
      luminosity_5: 500,
      presence_6: 50,
      temperature_7: -15.6,
      relative_humidity_8: 49.5,
      accelerometer_9: { x: -0.424, y: 0.015, z: 1.666 },
      barometric_pressure_10: 1073.5,
      gyrometer_11: { x: 3.55, y: 5.61, z: -4.1 },
      gps_12: { latitude: 52.3655, longitude: 4.8885, altitude: 21.54 },
    });
  });

  it('decodes a GPS fix south and west of zero with its signs', () => {
    const int24 = (value: number) => [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
    const bytes = [1, 136, ...int24(-338_688), ...int24(-1_512_093), ...int24(-500)];
    assert.deepEqual(decodeCayenneLpp(Uint8Array.from(bytes)).gps_1, {
      latitude: -33.8688,
      longitude: -151.2093,
      altitude: -5,
    });
  });

  it('decodes no bytes to no values', () => {
    assert.deepEqual(decodeCayenneLpp(new Uint8Array()), {});
  });

  it('refuses bytes that end inside a channel header', () => {
    assert.throws(
      () => decodeCayenneLpp(Uint8Array.from([1, 103, 0, 200, 2])),
      malformed('', 'ends inside the header at byte 4'),
    );
  });

  it('either decodes or throws a TallyError, whatever the bytes', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 2_000; round += 1) {
      const bytes = Uint8Array.from({ length: next() % 40 }, () => next() % 256);
      try {
        decodeCayenneLpp(bytes);
      } catch (error) {
        assert.ok(error instanceof TallyError, String(error));
      }
    }
  });
});

describe('decodeSenseBoxHome', () => {
  it('decodes the sample’s 12 bytes as openSenseMap’s reference implementation does', () => {
    assert.deepEqual(decodeSenseBoxHome(Buffer.from(String(v2Sample().payload_raw), 'base64')), {
      temperature: -1.2,
      humidity: 84.9,
      pressure: 1017.3,
      illuminance: 10004,
      uv: 305,
    });
  });

  it('refuses a payload of another length', () => {
    assert.throws(
      () => decodeSenseBoxHome(Uint8Array.from([0xad, 0xfc])),
      malformed('', 'must be 12 bytes for senseBox:home, not 2'),
    );
  });
});
