import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { TallyError, validationError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { PublicRecord, RecordActor } from '../ledger/public-record.js';
import { decoyHash, hashPassword, verifyPassword } from './password.js';
import { type Actor, anonymous, type Role, requireRole, type UserActor } from './roles.js';
import type { TokenSummary, User, UsersRepository } from './users.repository.js';

const dayMs = 24 * 60 * 60 * 1000;
const sessionLifetimeMs = 30 * dayMs;
/** The longest an API token may be made to last when it is given an end at all. */
export const maximumTokenDays = 3650;
/** `last_used_at` is written at most this often per token, so that reading does not mean writing. */
const lastUsedResolutionMs = 5 * 60 * 1000;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const minimumPasswordLength = 10;

export interface IssuedToken {
  id: string;
  token: string;
  expiresAt: string | null;
  user: User;
}

export interface TokenRequest {
  name: string;
  expiresInDays?: number | undefined;
  expiresAt?: string | undefined;
}

/** One of the caller's tokens; `current` is the one this request came with. */
export interface OwnToken extends TokenSummary {
  current: boolean;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function normaliseEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (!emailPattern.test(normalised)) throw validationError('/email', 'must be an e-mail address');
  return normalised;
}

function checkPasswordLength(password: string, field: string): void {
  if (password.length < minimumPasswordLength) {
    throw validationError(field, `must be at least ${minimumPasswordLength} characters`);
  }
}

/** The account without its password hash. */
function toPublicUser(user: User): User {
  const { id, email, displayName, role, createdAt, disabledAt } = user;
  return { id, email, displayName, role, createdAt, disabledAt };
}

export class AccountsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly record: PublicRecord,
    private readonly clock: Clock,
  ) {}

  /** Creates an account; its role is granted on the public record (by the operator, from the CLI). */
  async addUser(
    input: {
      email: string;
      password: string;
      role: Role;
      displayName?: string | null;
    },
    grantedBy: RecordActor = 'operator',
  ): Promise<User> {
    const email = normaliseEmail(input.email);
    checkPasswordLength(input.password, '/password');
    if (await this.users.findByEmail(email))
      throw new TallyError('user_exists', `${email} already has an account`);
    const user: User = {
      id: uuidv7(),
      email,
      displayName: input.displayName?.trim() || null,
      role: input.role,
      createdAt: this.clock.now().toISOString(),
      disabledAt: null,
    };
    const grant = this.roleChange('role.granted', user.id, input.role, null, grantedBy);
    await this.users.insert({ ...user, passwordHash: await hashPassword(input.password) }, [grant]);
    return user;
  }

  /** Changes an account's role; the public record shows the change under the account's pseudonym. */
  async setRole(emailInput: string, role: Role, changedBy: RecordActor = 'operator'): Promise<User> {
    const user = await this.users.findByEmail(emailInput.trim().toLowerCase());
    if (!user) throw new TallyError('not_found', `No account ${emailInput}`);
    if (user.role === role) return toPublicUser(user);
    const change = this.roleChange('role.changed', user.id, role, user.role, changedBy);
    await this.users.updateRole(user.id, role, [change]);
    return { ...toPublicUser(user), role };
  }

  private roleChange(action: string, userId: string, role: Role, previous: Role | null, actor: RecordActor) {
    const account = this.record.pseudonym(userId);
    return this.record.change(action, `account:${account}`, actor, {
      account,
      role,
      previous_role: previous,
    });
  }

  /** The account the operator acts as from the command line (`tally import … --owner`). */
  async actAs(emailInput: string): Promise<UserActor> {
    const user = await this.users.findByEmail(emailInput.trim().toLowerCase());
    if (!user || user.disabledAt) throw new TallyError('not_found', `No account ${emailInput}`);
    return { kind: 'user', userId: user.id, email: user.email, role: user.role, via: 'api' };
  }

  /** The signed-in caller's own account. */
  async me(actor: Actor): Promise<User> {
    const caller = requireRole(actor, 'reporter', 'see your account');
    const user = await this.users.findById(caller.userId);
    if (!user) throw new TallyError('unauthenticated');
    return user;
  }

  listUsers(): Promise<User[]> {
    return this.users.list();
  }

  async login(emailInput: string, password: string): Promise<IssuedToken> {
    const user = await this.users.findByEmail(emailInput.trim().toLowerCase());
    // Always pay for one hash so response time does not tell which e-mails have accounts.
    const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    // A deactivated account is refused like a wrong password: an anonymous caller learns nothing more.
    if (!user || !valid || user.disabledAt) throw new TallyError('invalid_credentials');
    await this.users.deleteExpiredTokensOf(user.id, this.clock.now().toISOString());
    return this.newSession(user);
  }

  private newSession(user: User): Promise<IssuedToken> {
    const expiresAt = new Date(this.clock.now().getTime() + sessionLifetimeMs).toISOString();
    return this.issueToken(user, 'session', null, expiresAt);
  }

  /**
   * A token for scripts and integrations; shown once, stored only as a hash. Only a signed-in person (a
   * browser session, or a session from signing in with the password) may make one: a leaked token must not
   * be able to make itself a successor that outlives its revocation.
   */
  async createApiToken(actor: Actor, request: TokenRequest): Promise<IssuedToken> {
    const caller = requireRole(actor, 'reporter', 'create an API token');
    if (caller.via !== 'session') {
      throw new TallyError(
        'token_cannot_mint',
        'An API token cannot create tokens: sign in with your password (POST /api/v1/auth/login) and create it with that session',
      );
    }
    const user = await this.me(caller);
    const expiresAt = this.tokenExpiry(request);
    return this.issueToken(user, 'api', request.name.trim() || null, expiresAt);
  }

  private tokenExpiry(request: TokenRequest): string | null {
    const now = this.clock.now().getTime();
    const latest = now + maximumTokenDays * dayMs;
    if (request.expiresInDays !== undefined && request.expiresAt !== undefined) {
      throw validationError('/expires_at', 'give expires_in_days or expires_at, not both');
    }
    if (request.expiresInDays !== undefined) {
      return new Date(now + request.expiresInDays * dayMs).toISOString();
    }
    if (request.expiresAt === undefined) return null;
    const at = Date.parse(request.expiresAt);
    if (Number.isNaN(at)) throw validationError('/expires_at', 'must be a date and time (RFC 3339)');
    if (at <= now) throw validationError('/expires_at', 'must be in the future');
    if (at > latest) throw validationError('/expires_at', `must be within ${maximumTokenDays} days`);
    return new Date(at).toISOString();
  }

  /** The caller's sessions and tokens that still work, newest first; never a token or its hash. */
  async listTokens(actor: Actor): Promise<OwnToken[]> {
    const caller = requireRole(actor, 'reporter', 'see your tokens');
    const tokens = await this.users.listTokens(caller.userId, this.clock.now().toISOString());
    return tokens.map((token) => ({ ...token, current: token.id === caller.tokenId }));
  }

  /** Revokes one of the caller's sessions or tokens; anyone else's is `token_not_found`, as if it did not exist. */
  async revokeToken(actor: Actor, tokenId: string): Promise<void> {
    const caller = requireRole(actor, 'reporter', 'revoke a token');
    if (!(await this.users.deleteTokenOf(caller.userId, tokenId))) throw new TallyError('token_not_found');
  }

  /** Signs the caller out everywhere: every session and token of theirs, this one included. */
  async revokeAllTokens(actor: Actor): Promise<void> {
    const caller = requireRole(actor, 'reporter', 'sign out everywhere');
    await this.users.deleteTokensOf(caller.userId);
  }

  /**
   * The caller changes their own password, proving they know the current one. Every session and token of
   * theirs ends; the fresh session returned keeps this browser signed in.
   */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<IssuedToken> {
    const caller = requireRole(actor, 'reporter', 'change your password');
    const user = await this.users.findByEmail(caller.email);
    if (!user || user.id !== caller.userId || user.disabledAt) throw new TallyError('unauthenticated');
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      throw new TallyError('wrong_password', 'The current password is not the one given');
    }
    checkPasswordLength(newPassword, '/new_password');
    await this.users.updatePassword(user.id, await hashPassword(newPassword));
    return this.newSession(user);
  }

  /** The operator sets an account's password; every session and token of the account ends. */
  async setPassword(emailInput: string, password: string): Promise<User> {
    const user = await this.users.findByEmail(emailInput.trim().toLowerCase());
    if (!user) throw new TallyError('not_found', `No account ${emailInput}`);
    checkPasswordLength(password, '/password');
    await this.users.updatePassword(user.id, await hashPassword(password));
    return toPublicUser(user);
  }

  /**
   * Deactivates or reactivates an account. Deactivating ends its sessions and tokens at once; either way the
   * change of who may act is on the public record, under the account's pseudonym as role changes are.
   */
  async setActive(emailInput: string, active: boolean, changedBy: RecordActor = 'operator'): Promise<User> {
    const user = await this.users.findByEmail(emailInput.trim().toLowerCase());
    if (!user) throw new TallyError('not_found', `No account ${emailInput}`);
    if ((user.disabledAt === null) === active) return toPublicUser(user);
    const disabledAt = active ? null : this.clock.now().toISOString();
    const account = this.record.pseudonym(user.id);
    const change = this.record.change(
      active ? 'account.activated' : 'account.deactivated',
      `account:${account}`,
      changedBy,
      { account, active },
    );
    await this.users.setDisabled(user.id, disabledAt, [change]);
    return { ...toPublicUser(user), disabledAt };
  }

  async logout(token: string): Promise<void> {
    await this.users.deleteToken(hashToken(token));
  }

  /** Resolves a bearer or cookie token to the caller; an unknown or expired token is anonymous. */
  async authenticate(token: string | undefined): Promise<Actor> {
    if (!token) return anonymous;
    const owner = await this.users.findTokenOwner(hashToken(token));
    if (!owner || owner.user.disabledAt) return anonymous;
    const now = this.clock.now();
    if (owner.expiresAt && owner.expiresAt <= now.toISOString()) return anonymous;
    if (!owner.lastUsedAt || Date.parse(owner.lastUsedAt) <= now.getTime() - lastUsedResolutionMs) {
      await this.users.touchToken(owner.tokenId, now.toISOString());
    }
    return {
      kind: 'user',
      userId: owner.user.id,
      email: owner.user.email,
      role: owner.user.role,
      via: owner.kind,
      tokenId: owner.tokenId,
    };
  }

  private async issueToken(
    user: User,
    kind: 'session' | 'api',
    name: string | null,
    expiresAt: string | null,
  ): Promise<IssuedToken> {
    const token = `tly_${randomBytes(32).toString('base64url')}`;
    const id = uuidv7();
    await this.users.insertToken({
      id,
      userId: user.id,
      tokenHash: hashToken(token),
      kind,
      name,
      createdAt: this.clock.now().toISOString(),
      expiresAt,
    });
    return { id, token, expiresAt, user: toPublicUser(user) };
  }
}
