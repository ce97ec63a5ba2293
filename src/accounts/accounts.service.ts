import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { TallyError, validationError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { PublicRecord, RecordActor } from '../ledger/public-record.js';
import { decoyHash, hashPassword, verifyPassword } from './password.js';
import { type Actor, anonymous, type Role, requireRole, type UserActor } from './roles.js';
import type { User, UsersRepository } from './users.repository.js';

const sessionLifetimeMs = 30 * 24 * 60 * 60 * 1000;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const minimumPasswordLength = 10;

export interface IssuedToken {
  token: string;
  expiresAt: string | null;
  user: User;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function normaliseEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (!emailPattern.test(normalised)) throw validationError('/email', 'must be an e-mail address');
  return normalised;
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
    if (input.password.length < minimumPasswordLength) {
      throw validationError('/password', `must be at least ${minimumPasswordLength} characters`);
    }
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
    if (!user || !valid || user.disabledAt) throw new TallyError('invalid_credentials');
    const expiresAt = new Date(this.clock.now().getTime() + sessionLifetimeMs).toISOString();
    return this.issueToken(user, 'session', null, expiresAt);
  }

  /** A long-lived token for scripts and integrations; shown once, stored only as a hash. */
  async createApiToken(actor: Actor, name: string): Promise<IssuedToken> {
    const user = await this.me(actor);
    return this.issueToken(user, 'api', name.trim() || null, null);
  }

  async logout(token: string): Promise<void> {
    await this.users.deleteToken(hashToken(token));
  }

  /** Resolves a bearer or cookie token to the caller; an unknown or expired token is anonymous. */
  async authenticate(token: string | undefined): Promise<Actor> {
    if (!token) return anonymous;
    const owner = await this.users.findTokenOwner(hashToken(token));
    if (!owner || owner.user.disabledAt) return anonymous;
    if (owner.expiresAt && owner.expiresAt <= this.clock.now().toISOString()) return anonymous;
    return {
      kind: 'user',
      userId: owner.user.id,
      email: owner.user.email,
      role: owner.user.role,
      via: owner.kind,
    };
  }

  private async issueToken(
    user: User,
    kind: 'session' | 'api',
    name: string | null,
    expiresAt: string | null,
  ): Promise<IssuedToken> {
    const token = `tly_${randomBytes(32).toString('base64url')}`;
    await this.users.insertToken({
      id: uuidv7(),
      userId: user.id,
      tokenHash: hashToken(token),
      kind,
      name,
      createdAt: this.clock.now().toISOString(),
      expiresAt,
    });
    return { token, expiresAt, user: toPublicUser(user) };
  }
}
