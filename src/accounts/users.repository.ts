import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import type { Role } from './roles.js';

export interface User {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

export interface TokenOwner {
  tokenId: string;
  kind: 'session' | 'api';
  expiresAt: string | null;
  lastUsedAt: string | null;
  user: User;
}

/** A token as its owner may see it: never the token nor its hash. */
export interface TokenSummary {
  id: string;
  name: string | null;
  kind: 'session' | 'api';
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

function toUser(row: {
  id: string;
  email: string;
  display_name: string | null;
  role: string;
  created_at: string;
  disabled_at: string | null;
}): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role as Role,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

export class UsersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Role grants are public changes, recorded in the same transaction. */
    private readonly ledger: LedgerRepository,
  ) {}

  async insert(user: UserWithHash, changes: readonly LedgerChange[] = []): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          display_name: user.displayName,
          role: user.role,
          password_hash: user.passwordHash,
          created_at: user.createdAt,
          disabled_at: user.disabledAt,
        })
        .execute();
      await this.ledger.append(trx, changes);
    });
  }

  async findByEmail(email: string): Promise<UserWithHash | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('created_at').execute();
    return rows.map(toUser);
  }

  async updateRole(id: string, role: Role, changes: readonly LedgerChange[] = []): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('users').set({ role }).where('id', '=', id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await this.ledger.append(trx, changes);
      return true;
    });
  }

  /** The new password, and every session and token of the account ended, in one transaction. */
  async updatePassword(id: string, passwordHash: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
      await trx.deleteFrom('auth_tokens').where('user_id', '=', id).execute();
    });
  }

  /**
   * Deactivates (a time) or reactivates (null) an account; deactivating ends every session and token of it in
   * the same transaction as the change and its record, so no request slips in between.
   */
  async setDisabled(
    id: string,
    disabledAt: string | null,
    changes: readonly LedgerChange[] = [],
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ disabled_at: disabledAt }).where('id', '=', id).execute();
      if (disabledAt !== null) await trx.deleteFrom('auth_tokens').where('user_id', '=', id).execute();
      await this.ledger.append(trx, changes);
    });
  }

  /** The account's tokens that still work, newest first. */
  async listTokens(userId: string, now: string): Promise<TokenSummary[]> {
    const rows = await this.db
      .selectFrom('auth_tokens')
      .select(['id', 'name', 'kind', 'created_at', 'expires_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      kind: row.kind as 'session' | 'api',
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
    }));
  }

  /** Deletes one of the account's tokens; false when it has none with that id. */
  async deleteTokenOf(userId: string, tokenId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('auth_tokens')
      .where('id', '=', tokenId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteTokensOf(userId: string): Promise<void> {
    await this.db.deleteFrom('auth_tokens').where('user_id', '=', userId).execute();
  }

  /** Expired tokens no longer authenticate; this only stops them taking space. */
  async deleteExpiredTokensOf(userId: string, now: string): Promise<void> {
    await this.db
      .deleteFrom('auth_tokens')
      .where('user_id', '=', userId)
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .execute();
  }

  async touchToken(tokenId: string, at: string): Promise<void> {
    await this.db.updateTable('auth_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
  }

  async insertToken(token: {
    id: string;
    userId: string;
    tokenHash: string;
    kind: 'session' | 'api';
    name: string | null;
    createdAt: string;
    expiresAt: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('auth_tokens')
      .values({
        id: token.id,
        user_id: token.userId,
        token_hash: token.tokenHash,
        kind: token.kind,
        name: token.name,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        last_used_at: null,
      })
      .execute();
  }

  async findTokenOwner(tokenHash: string): Promise<TokenOwner | undefined> {
    const row = await this.db
      .selectFrom('auth_tokens')
      .innerJoin('users', 'users.id', 'auth_tokens.user_id')
      .select([
        'auth_tokens.id as token_id',
        'auth_tokens.kind',
        'auth_tokens.expires_at',
        'auth_tokens.last_used_at',
        'users.id',
        'users.email',
        'users.display_name',
        'users.role',
        'users.created_at',
        'users.disabled_at',
      ])
      .where('auth_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tokenId: row.token_id,
      kind: row.kind as 'session' | 'api',
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      user: toUser(row),
    };
  }

  async deleteToken(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('auth_tokens').where('token_hash', '=', tokenHash).execute();
  }
}
