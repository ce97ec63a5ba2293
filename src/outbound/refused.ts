import { TallyError } from '../errors.js';

/**
 * The one answer to every refused target, whatever the reason: what a caller learns must not tell an IP
 * literal from a name that resolves inside the network, nor one private address from another.
 */
export const refusedText =
  'Tally connects only to public host names; an administrator can allow others in TALLY_OUTBOUND_ALLOWED_HOSTS';

export class OutboundRefused extends TallyError {
  constructor() {
    super('outbound_target_refused', refusedText);
    this.name = 'OutboundRefused';
  }
}

export function isOutboundRefused(error: unknown): error is OutboundRefused {
  return error instanceof TallyError && error.code === 'outbound_target_refused';
}
