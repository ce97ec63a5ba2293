/**
 * The channel settings that name a host Tally connects to, checked under the outbound policy when a channel
 * is added or changed: a gateway's URL, a mail server. Names are not resolved here (that happens before
 * each connection); IP literals and malformed hosts are refused now, with the policy's one problem.
 */
import type { ChannelKind } from '../channels/channel.js';
import { httpProtocols } from '../outbound/http.js';
import type { OutboundPolicy } from '../outbound/policy.js';

/** The settings of each kind that hold a gateway's URL. */
const urlSettings: Partial<Record<ChannelKind, readonly string[]>> = {
  kannel: ['sendsmsUrl'],
  frontlinesms: ['url'],
  twilio: ['apiBaseUrl'],
  vonage: ['apiBaseUrl'],
  africastalking: ['apiBaseUrl'],
  webhook: ['replyUrl'],
};

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return /^\d{1,5}$/.test(value) ? Number(value) : 0;
}

/** Refuses (throws `outbound_target_refused`) a setting naming a host Tally would never connect to. */
export function checkChannelTargets(
  policy: OutboundPolicy,
  kind: ChannelKind,
  settings: Readonly<Record<string, string>>,
): void {
  for (const name of urlSettings[kind] ?? []) {
    const value = settings[name];
    if (value !== undefined) policy.parseUrl(value, httpProtocols);
  }
  if (kind === 'email') {
    const imapSecure = settings.imapSecure === 'true';
    const smtpSecure = settings.smtpSecure === 'true';
    if (settings.imapHost !== undefined) {
      policy.parseHost('imap', settings.imapHost, port(settings.imapPort, imapSecure ? 993 : 143));
    }
    if (settings.smtpHost !== undefined) {
      policy.parseHost('smtp', settings.smtpHost, port(settings.smtpPort, smtpSecure ? 465 : 587));
    }
  }
}
