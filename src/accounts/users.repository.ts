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
  user: User;
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

  async updatePassword(id: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
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
      user: toUser(row),
    };
  }

  async deleteToken(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('auth_tokens').where('token_hash', '=', tokenHash).execute();
  }
}
