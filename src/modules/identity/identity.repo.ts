import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../../platform/db';
import type { Role } from '../../platform/auth';
import type { UsersTable } from './identity.tables';
import './identity.tables';

/** SQL of the identity module. Functions take the transaction (tenant-scoped or system) they run in. */

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
  status: 'ACTIVE' | 'DISABLED';
  totpEnrolled: boolean;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The public columns of a user (never the hash or the TOTP secret). */
export const userColumns = [
  'id', 'email', 'name', 'role', 'tenant_id as tenantId', 'enterprise_id as enterpriseId', 'status',
  sql<boolean>`totp_secret is not null`.as('totpEnrolled'), 'locked_until as lockedUntil', 'last_login_at as lastLoginAt',
  'created_at as createdAt', 'updated_at as updatedAt',
] as const;

export function selectUsers(db: Db | Tx) {
  return db.selectFrom('users').select(userColumns);
}

export async function findUserView(tx: Tx, id: string): Promise<UserView | undefined> {
  return selectUsers(tx).where('id', '=', id).executeTakeFirst() as Promise<UserView | undefined>;
}

export type UserRow = Omit<UsersTable, 'id' | 'status' | 'totp_last_step' | 'failed_logins' | 'locked_until' | 'password_changed_at' | 'last_login_at' | 'created_at' | 'updated_at'> & {
  id: string; status: 'ACTIVE' | 'DISABLED'; totp_last_step: number; failed_logins: number; locked_until: Date | null;
  last_login_at: Date | null; created_at: Date; updated_at: Date; password_changed_at: Date;
};

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst() as Promise<UserRow | undefined>;
}

export async function lockUserRow(tx: Tx, id: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst() as Promise<UserRow | undefined>;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
  passwordHash: string;
  totp?: { keyId: string; blob: Buffer } | null;
  now: Date;
}

export async function insertUser(tx: Tx, u: NewUser & { id: string }): Promise<void> {
  await tx.insertInto('users').values({
    id: u.id, email: u.email, name: u.name, role: u.role, tenant_id: u.tenantId, enterprise_id: u.enterpriseId,
    password_hash: u.passwordHash, totp_key_id: u.totp?.keyId ?? null, totp_secret: u.totp?.blob ?? null,
    password_changed_at: u.now, created_at: u.now, updated_at: u.now,
  }).execute();
}

/** Revokes every live session of a user; returns how many. */
export async function revokeSessions(tx: Tx, userId: string, now: Date): Promise<number> {
  const r = await tx.updateTable('user_sessions').set({ revoked_at: now })
    .where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** True unless the tenant or enterprise of a user or key is suspended or terminated (host users: always). */
function scopeActive(tenantId: RawBuilder<unknown>, enterpriseId: RawBuilder<unknown>) {
  return sql<boolean>`not exists (select 1 from identity_scope_status x
    where x.tenant_id = ${tenantId} and x.scope_id in (${tenantId}, ${enterpriseId}) and x.status <> 'ACTIVE')`;
}

/** The status of a user's tenant or enterprise when it is not ACTIVE, else null. */
export async function blockedScope(db: Db | Tx, tenantId: string | null, enterpriseId: string | null): Promise<{ scope: 'tenant' | 'enterprise'; status: string } | null> {
  if (!tenantId) return null;
  const rows = await db.selectFrom('identity_scope_status').select(['scope_id', 'status'])
    .where('tenant_id', '=', tenantId).where('scope_id', 'in', enterpriseId ? [tenantId, enterpriseId] : [tenantId])
    .where('status', '<>', 'ACTIVE').execute();
  const r = rows.find((x) => x.scope_id === tenantId) ?? rows[0];
  return r ? { scope: r.scope_id === tenantId ? 'tenant' : 'enterprise', status: r.status } : null;
}

/** Records a tenant's or enterprise's status from an accounts event, unless a newer event was applied already. */
export async function applyScopeStatus(db: Db, s: { tenantId: string; scopeId: string; status: 'ACTIVE' | 'SUSPENDED' | 'TERMINATED'; eventId: number; now: Date }): Promise<void> {
  await sql`insert into identity_scope_status (tenant_id, scope_id, status, event_id, updated_at)
            values (${s.tenantId}, ${s.scopeId}, ${s.status}, ${s.eventId}, ${s.now})
            on conflict (tenant_id, scope_id) do update set status = excluded.status, event_id = excluded.event_id, updated_at = excluded.updated_at
             where identity_scope_status.event_id < excluded.event_id`.execute(db);
}

export interface PrincipalRow {
  id: string;
  name: string;
  role: Role;
  tenant_id: string | null;
  enterprise_id: string | null;
}

/** One statement: a live session's user. */
export async function principalOfSession(db: Db, tokenHash: string, now: Date): Promise<PrincipalRow | undefined> {
  const r = await sql<PrincipalRow>`
    select u.id, u.email as name, u.role, u.tenant_id, u.enterprise_id
      from user_sessions s join users u on u.id = s.user_id
     where s.token_hash = ${tokenHash} and s.revoked_at is null and s.expires_at > ${now} and u.status = 'ACTIVE'
       and ${scopeActive(sql.ref('u.tenant_id'), sql.ref('u.enterprise_id'))}`.execute(db);
  return r.rows[0];
}

/**
 * One statement: a live API key by id and secret hash, touching last_used_at at most once a minute so a busy
 * client does not turn every request into a row update.
 */
export async function principalOfApiKey(db: Db, id: string, secretHash: string, now: Date): Promise<PrincipalRow | undefined> {
  const r = await sql<PrincipalRow>`
    with k as (
      select tenant_id, id, name, role, enterprise_id from api_keys
       where id = ${id} and secret_hash = ${secretHash} and revoked_at is null and (expires_at is null or expires_at > ${now})
         and ${scopeActive(sql.ref('api_keys.tenant_id'), sql.ref('api_keys.enterprise_id'))}
    ), touched as (
      update api_keys a set last_used_at = ${now} from k
       where a.tenant_id = k.tenant_id and a.id = k.id
         and (a.last_used_at is null or a.last_used_at < ${now}::timestamptz - interval '1 minute')
    )
    select id, name, role, tenant_id, enterprise_id from k`.execute(db);
  return r.rows[0];
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  tenantId: string;
  enterpriseId: string | null;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export const apiKeyColumns = [
  'id', 'name', 'role', 'tenant_id as tenantId', 'enterprise_id as enterpriseId', 'created_by as createdBy',
  'created_at as createdAt', 'expires_at as expiresAt', 'revoked_at as revokedAt', 'last_used_at as lastUsedAt',
] as const;
