import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../../errors.js';
import {
  isKannelSecret,
  kannelDeliveryUrl,
  kannelReply,
  kannelSendUrl,
  parseKannelDelivery,
  parseKannelInbound,
} from './kannel.js';

const isMalformed = (error: unknown) => error instanceof TallyError && error.code === 'malformed_message';

/** The query of the get-url in kannel.ts, once Kannel has filled it in and the server has decoded it. */
const inbound = {
  secret: 'kampala-channel-secret',
  from: '256772000111',
  to: '6000',
  text: 'Fire at the market in Owino',
  ts: '2026-11-26 06:12:00',
  smsc: 'mtn-ug',
  id: '3f2a9c1e-7b4d-4e8a-9c61-0d4b2e7f8a90',
};

test('an inbound message gives Kannel’s UUID, sender, receiver, text and time', () => {
  assert.deepEqual(parseKannelInbound(inbound), {
    providerId: '3f2a9c1e-7b4d-4e8a-9c61-0d4b2e7f8a90',
    from: '256772000111',
    to: '6000',
    text: 'Fire at the market in Owino',
    sentAt: '2026-11-26T06:12:00.000Z',
    media: [],
  });
});

test('a time without seconds, as older manuals show it, is read too', () => {
  assert.equal(parseKannelInbound({ ...inbound, ts: '2026-11-26 06:12' }).sentAt, '2026-11-26T06:12:00.000Z');
});

test('a time whose space arrived as a plus is read too', () => {
  assert.equal(
    parseKannelInbound({ ...inbound, ts: '2026-11-26+06:12:00' }).sentAt,
    '2026-11-26T06:12:00.000Z',
  );
});

test('a message without a time has no sent time', () => {
  const { ts: _ts, ...withoutTime } = inbound;
  assert.equal(parseKannelInbound(withoutTime).sentAt, null);
});

test('a time that is no real time is refused as malformed', () => {
  assert.throws(() => parseKannelInbound({ ...inbound, ts: '2026-11-26 25:12:00' }), isMalformed);
});

test('a message without Kannel’s UUID is refused as malformed, since retries could not be told apart', () => {
  const { id: _id, ...withoutId } = inbound;
  assert.throws(() => parseKannelInbound(withoutId), isMalformed);
});

test('a message without a sender is refused as malformed', () => {
  assert.throws(() => parseKannelInbound({ ...inbound, from: undefined }), isMalformed);
});

test('a message in Swahili keeps its text as Kannel sent it', () => {
  const message = parseKannelInbound({ ...inbound, from: '+254722000111', text: 'Moto sokoni Kibera' });
  assert.equal(message.text, 'Moto sokoni Kibera');
  assert.equal(message.from, '+254722000111');
});

test('the reply body puts each reply on its own line', () => {
  assert.equal(
    kannelReply(['Asante! Ripoti #42 imepokelewa.', 'Tuma STOP kuacha.']),
    'Asante! Ripoti #42 imepokelewa.\nTuma STOP kuacha.',
  );
});

test('the reply body for no reply is empty', () => {
  assert.equal(kannelReply([]), '');
});

test('the channel’s secret is recognised', () => {
  assert.equal(isKannelSecret('kampala-channel-secret', 'kampala-channel-secret'), true);
});

test('another secret, a missing one, or one of another length is refused', () => {
  assert.equal(isKannelSecret('kampala-channel-secret', 'kampala-channel-secreT'), false);
  assert.equal(isKannelSecret('kampala-channel-secret', undefined), false);
  assert.equal(isKannelSecret('kampala-channel-secret', ''), false);
});

test('an empty secret on the channel matches nothing, not even an empty one', () => {
  assert.equal(isKannelSecret('', ''), false);
});

const callback = 'https://tally.example.org/api/v1/delivery/kannel/kampala?secret=s3cr3t';

test('the dlr-url carries Tally’s id and Kannel’s codes for the type and the SMSC’s reply', () => {
  assert.equal(kannelDeliveryUrl(callback, 'msg-42'), `${callback}&id=msg-42&type=%d&reply=%A`);
});

test('the dlr-url of a callback without a query starts one', () => {
  assert.equal(
    kannelDeliveryUrl('https://tally.example.org/dlr', 'msg-42'),
    'https://tally.example.org/dlr?id=msg-42&type=%d&reply=%A',
  );
});

test('an id that would need percent-encoding in the dlr-url is refused', () => {
  assert.throws(() => kannelDeliveryUrl(callback, 'msg 42/é'), TypeError);
});

test('a callback URL holding a percent-encoded character is refused', () => {
  assert.throws(() => kannelDeliveryUrl(`${callback}%2B`, 'msg-42'), TypeError);
});

test('the sendsms URL encodes every parameter and asks for every delivery report', () => {
  const url = kannelSendUrl({
    baseUrl: 'http://smsbox:13013/',
    username: 'tally',
    password: 'p@ss w0rd&',
    to: '+256772000111',
    text: 'Fire at the market',
    from: '6000',
    dlrUrl: kannelDeliveryUrl(callback, 'msg-42'),
  });
  assert.equal(
    url,
    'http://smsbox:13013/cgi-bin/sendsms?username=tally&password=p%40ss%20w0rd%26&to=%2B256772000111' +
      '&text=Fire%20at%20the%20market&from=6000&charset=UTF-8&dlr-mask=31' +
      '&dlr-url=https%3A%2F%2Ftally.example.org%2Fapi%2Fv1%2Fdelivery%2Fkannel%2Fkampala%3Fsecret%3Ds3cr3t' +
      '%26id%3Dmsg-42%26type%3D%25d%26reply%3D%25A',
  );
});

test('Kannel decodes the dlr-url back to the template with its codes intact', () => {
  const dlrUrl = kannelDeliveryUrl(callback, 'msg-42');
  const url = kannelSendUrl({
    baseUrl: 'http://smsbox:13013',
    username: 'u',
    password: 'p',
    to: '1',
    text: 'x',
    dlrUrl,
  });
  assert.equal(new URL(url).searchParams.get('dlr-url'), dlrUrl);
});

test('the sendsms URL without a sender leaves from out', () => {
  const url = kannelSendUrl({
    baseUrl: 'http://smsbox:13013',
    username: 'u',
    password: 'p',
    to: '1',
    text: 'x',
    dlrUrl: callback,
  });
  assert.equal(new URL(url).searchParams.has('from'), false);
});

test('a text the 7-bit alphabet can carry is sent without asking for UCS-2', () => {
  const url = kannelSendUrl({
    baseUrl: 'http://smsbox:13013',
    username: 'u',
    password: 'p',
    to: '+254722000111',
    text: 'Asante! Ripoti #42 imepokelewa - tutaituma kwa wahusika (Kibera).',
    dlrUrl: callback,
  });
  assert.equal(new URL(url).searchParams.has('coding'), false);
});

test('a text with characters beyond the 7-bit alphabet is sent as UCS-2', () => {
  const url = kannelSendUrl({
    baseUrl: 'http://smsbox:13013',
    username: 'u',
    password: 'p',
    to: '+251911000111',
    text: 'እሳት በገበያ 🔥',
    dlrUrl: callback,
  });
  assert.equal(new URL(url).searchParams.get('coding'), '2');
  assert.equal(new URL(url).searchParams.get('text'), 'እሳት በገበያ 🔥');
});

test('a delivery report maps Kannel’s types onto queued, sent, delivered and failed', () => {
  const state = (type: string) => parseKannelDelivery({ id: 'msg-42', type }).state;
  assert.equal(state('1'), 'delivered');
  assert.equal(state('2'), 'failed');
  assert.equal(state('4'), 'queued');
  assert.equal(state('8'), 'sent');
  assert.equal(state('16'), 'failed');
});

test('a delivery report keeps the SMSC’s reply in its detail', () => {
  assert.deepEqual(
    parseKannelDelivery({
      secret: 's3cr3t',
      id: 'msg-42',
      type: '1',
      reply:
        'id:0123456789 sub:001 dlvrd:001 submit date:2611260612 done date:2611260613 stat:DELIVRD err:000',
    }),
    {
      providerId: 'msg-42',
      state: 'delivered',
      detail:
        'delivery success: id:0123456789 sub:001 dlvrd:001 submit date:2611260612 done date:2611260613 ' +
        'stat:DELIVRD err:000',
    },
  );
});

test('a delivery report without a reply is described by its type alone', () => {
  assert.equal(parseKannelDelivery({ id: 'msg-42', type: '16' }).detail, 'smsc reject');
});

test('a delivery report of a type Kannel does not send is refused as malformed', () => {
  assert.throws(() => parseKannelDelivery({ id: 'msg-42', type: '3' }), isMalformed);
});

test('a delivery report whose type was never filled in is refused as malformed', () => {
  assert.throws(() => parseKannelDelivery({ id: 'msg-42', type: '%d' }), isMalformed);
});

test('a delivery report without Tally’s id is refused as malformed', () => {
  assert.throws(() => parseKannelDelivery({ type: '1' }), isMalformed);
});
