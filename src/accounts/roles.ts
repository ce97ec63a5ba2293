import { TallyError } from '../errors.js';

export const roles = ['reporter', 'volunteer', 'coordinator', 'admin'] as const;
export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { reporter: 0, volunteer: 1, coordinator: 2, admin: 3 };

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export interface UserActor {
  kind: 'user';
  userId: string;
  email: string;
  role: Role;
  /** How the caller proved who they are: a browser session or a long-lived API token. */
  via: 'session' | 'api';
  /** The session or token this request came with (absent when the operator acts from the command line). */
  tokenId?: string;
}

export interface AnonymousActor {
  kind: 'anonymous';
}

export type Actor = UserActor | AnonymousActor;

export const anonymous: AnonymousActor = { kind: 'anonymous' };

export function hasRole(actor: Actor, minimum: Role): boolean {
  return actor.kind === 'user' && rank[actor.role] >= rank[minimum];
}

/** Throws unless the actor holds at least `minimum`: 401 for nobody, 403 for too low a role. */
export function requireRole(actor: Actor, minimum: Role, action: string): UserActor {
  if (actor.kind !== 'user') throw new TallyError('unauthenticated', `Sign in to ${action}`);
  if (rank[actor.role] < rank[minimum]) {
    throw new TallyError('forbidden', `Only a ${minimum} or above may ${action}; you are a ${actor.role}`);
  }
  return actor;
}
