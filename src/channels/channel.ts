export const channelKinds = [
  'twilio',
  'smssync',
  'frontlinesms',
  'africastalking',
  'vonage',
  'kannel',
  'webhook',
  'email',
] as const;
export type ChannelKind = (typeof channelKinds)[number];

export function isChannelKind(value: string): value is ChannelKind {
  return (channelKinds as readonly string[]).includes(value);
}

interface KindDefinition {
  /** Secrets the channel cannot work without. */
  required: readonly string[];
  /** Secrets it may also hold (for sending, or a second way to authenticate). */
  optional: readonly string[];
}

/**
 * What each kind of channel keeps secret. How a gateway proves a request is its own: Twilio and the generic
 * webhook sign it (`authToken`, `secret`), Vonage signs it when a `signatureSecret` is set; the others send
 * the shared `secret` in the request (SMSSync and FrontlineSMS in the body, Kannel and Africa's Talking in
 * the URL that the channel's settings page gives). An e-mail channel is not called by anyone: Tally reads its
 * mailbox over IMAP (`password`) and answers over SMTP (`smtpPassword`, when the server wants one).
 */
export const kindDefinitions: Record<ChannelKind, KindDefinition> = {
  twilio: { required: ['authToken'], optional: [] },
  smssync: { required: ['secret'], optional: [] },
  frontlinesms: { required: ['secret'], optional: ['apiKey'] },
  africastalking: { required: ['secret'], optional: ['apiKey'] },
  vonage: { required: [], optional: ['signatureSecret', 'secret', 'apiSecret'] },
  kannel: { required: ['secret'], optional: ['password'] },
  webhook: { required: ['secret'], optional: [] },
  email: { required: ['password'], optional: ['smtpPassword'] },
};

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  /** What may be shown again: numbers, URLs, user names, the replies' language. */
  settings: Record<string, string>;
  /** Which secrets are set; their values are never shown again once entered. */
  secretNames: string[];
  enabled: boolean;
  refusedRequests: number;
  createdAt: string;
  updatedAt: string;
  /** When it was deleted: it then has no secrets nor private settings, and receives and sends nothing. */
  deletedAt: string | null;
}

/**
 * The settings anyone may know of a channel. The others name gateways' hosts, accounts, user names, the
 * deployment's numbers or a volunteer's own phone (SMSSync): a path to the gateway or to a person, never
 * for the public record. The language says only in which language senders are answered.
 */
export const publicSettingNames: readonly string[] = ['language'];

/** What the public record says of a channel: never a secret, never a setting that is not public. */
export function publicChannelContent(channel: Channel) {
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    language: channel.settings.language ?? null,
    enabled: channel.enabled,
    deleted: channel.deletedAt !== null,
  };
}
