import { type Actor, requireRole } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import type { ContactVault } from '../contacts/contact-vault.js';
import { TallyError, validationError } from '../errors.js';
import type { VonageSignatureMethod } from '../messages/gateways/vonage.js';
import { checkChannelTargets } from '../messages/outbound-targets.js';
import type { OutboundPolicy } from '../outbound/policy.js';
import { type Channel, type ChannelKind, isChannelKind, kindDefinitions } from './channel.js';
import type { ChannelsRepository } from './channels.repository.js';

export interface NewChannelInput {
  id: string;
  kind: string;
  name?: string;
  settings?: Record<string, string>;
  secrets: Record<string, string>;
}

/** A channel with its secrets in the clear: for checking a gateway's request, never for showing. */
export interface ChannelWithSecrets {
  channel: Channel;
  secrets: Record<string, string>;
}

const channelId = /^[a-z0-9][a-z0-9-]{0,62}$/;
const vonageSignatureMethods: readonly VonageSignatureMethod[] = [
  'md5hash',
  'md5',
  'sha1',
  'sha256',
  'sha512',
];

export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    /** Seals secrets with the same key as contacts: a copy of the database alone holds neither. */
    private readonly vault: ContactVault,
    private readonly clock: Clock,
    /** Gateways' URLs and mail servers must be hosts Tally may connect to. */
    private readonly outbound: OutboundPolicy,
  ) {}

  async add(actor: Actor, input: NewChannelInput): Promise<Channel> {
    requireRole(actor, 'coordinator', 'add a channel');
    return this.addAsOperator(input);
  }

  /** Adds a channel for whoever runs the server (`tally channel add`), who holds its data directory anyway. */
  async addAsOperator(input: NewChannelInput): Promise<Channel> {
    if (!channelId.test(input.id)) {
      throw validationError('/id', 'lower-case letters, digits and dashes, starting with a letter or digit');
    }
    if (!isChannelKind(input.kind)) {
      throw validationError('/kind', `must be one of ${Object.keys(kindDefinitions).join(', ')}`);
    }
    const kind: ChannelKind = input.kind;
    const { required, optional } = kindDefinitions[kind];
    for (const name of required) {
      if (!input.secrets[name]) throw validationError(`/secrets/${name}`, `a ${kind} channel needs it`);
    }
    for (const [name, value] of Object.entries(input.secrets)) {
      if (!required.includes(name) && !optional.includes(name)) {
        throw validationError(`/secrets/${name}`, `a ${kind} channel keeps no such secret`);
      }
      if (typeof value !== 'string' || value.length === 0) {
        throw validationError(`/secrets/${name}`, 'must be a non-empty string');
      }
    }
    if (kind === 'vonage' && !input.secrets.signatureSecret && !input.secrets.secret) {
      throw validationError('/secrets', 'a vonage channel needs a signatureSecret or a secret');
    }
    const method = input.settings?.signatureMethod;
    if (method !== undefined && !vonageSignatureMethods.includes(method as VonageSignatureMethod)) {
      throw validationError(
        '/settings/signatureMethod',
        `must be one of ${vonageSignatureMethods.join(', ')}`,
      );
    }
    checkChannelTargets(this.outbound, kind, input.settings ?? {});
    const now = this.clock.now().toISOString();
    const secretNames = Object.keys(input.secrets).sort();
    const stored = await this.channels.insert({
      id: input.id,
      kind,
      name: input.name ?? input.id,
      settings: input.settings ?? {},
      secretNames,
      sealedSecrets: this.vault.seal(JSON.stringify(input.secrets)),
      createdAt: now,
    });
    if (!stored) throw new TallyError('channel_exists', `There is already a channel "${input.id}"`);
    const added = await this.channels.findById(input.id);
    if (!added) throw new TallyError('channel_not_found');
    return added.channel;
  }

  async list(actor: Actor): Promise<Channel[]> {
    requireRole(actor, 'coordinator', 'see the channels');
    return this.listAsOperator();
  }

  listAsOperator(): Promise<Channel[]> {
    return this.channels.list();
  }

  /** The channel a gateway's request names, of the kind its URL says; null when there is none such. */
  async forGateway(id: string, kind: ChannelKind): Promise<ChannelWithSecrets | null> {
    const stored = await this.channels.findById(id);
    if (!stored || stored.channel.kind !== kind || !stored.channel.enabled) return null;
    return { channel: stored.channel, secrets: this.unsealed(stored.sealedSecrets) };
  }

  /**
   * Every gateway request needs its channel's secrets: they are unsealed once per sealed value, not once per
   * message. A sealed value never changes once written, so the cache cannot go stale.
   */
  private unsealed(sealed: string): Record<string, string> {
    let secrets = this.secretsBySealed.get(sealed);
    if (!secrets) {
      secrets = JSON.parse(this.vault.unseal(sealed)) as Record<string, string>;
      this.secretsBySealed.set(sealed, secrets);
    }
    return secrets;
  }

  private readonly secretsBySealed = new Map<string, Record<string, string>>();

  /** The channel an outbound message goes through, with the secrets to send with; null when gone or off. */
  async forSending(id: string): Promise<ChannelWithSecrets | null> {
    const stored = await this.channels.findById(id);
    if (!stored?.channel.enabled) return null;
    return this.forGateway(id, stored.channel.kind);
  }

  /** Every enabled channel of a kind, with its secrets: the mailboxes Tally reads itself. */
  async withSecretsOfKind(kind: ChannelKind): Promise<ChannelWithSecrets[]> {
    const channels = (await this.channels.list()).filter(
      (channel) => channel.kind === kind && channel.enabled,
    );
    const found = await Promise.all(channels.map((channel) => this.forGateway(channel.id, kind)));
    return found.filter((channel): channel is ChannelWithSecrets => channel !== null);
  }

  countRefused(id: string): Promise<void> {
    return this.channels.countRefused(id);
  }
}
