import net from 'node:net';
import tls from 'node:tls';
import type { Resolved } from './policy.js';

/**
 * A TCP (or TLS) connection to the address the policy checked, never to the name again: the TLS server name
 * and certificate check still use the name. For clients that take a ready socket (MQTT).
 */
export function connectResolved(resolved: Resolved, secure: boolean): net.Socket {
  const { address, target } = resolved;
  if (!secure) return net.connect({ host: address, port: target.port });
  return tls.connect({
    host: address,
    port: target.port,
    ...(target.literal ? {} : { servername: target.host }),
  });
}

/** TLS options for clients that connect by themselves to the checked address (IMAP, SMTP). */
export function tlsNameOf(resolved: Resolved): { servername?: string } {
  return resolved.target.literal ? {} : { servername: resolved.target.host };
}

const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

/**
 * Whether an error says only how the network answered (refused, reset, timed out): such details tell a
 * prober which ports are open, so callers show one message for all of them.
 */
export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && networkErrorCodes.has(code)) ||
    (error instanceof Error && /timed? ?out|ECONN|EHOST|ENET|socket hang up/i.test(error.message))
  );
}
