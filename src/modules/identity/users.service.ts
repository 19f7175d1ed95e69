import { randomUUID } from 'node:crypto';
import type { Core } from '../../platform/core';
import { actorOf, canGrant, originOf, scopeOf, type RequestContext, type Role } from '../../platform/auth';
import type { Tx } from '../../platform/db';
import { recordAudit } from '../../platform/audit';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/http/errors';
import { paginate, type Page, type PageQuery } from '../../platform/http/pagination';
import { IDENTITY_EVENTS } from './identity.events';
import { checkRoleChange, normalizeEmail, passwordProblem, placeGrant } from './identity.fns';
import * as repo from './identity.repo';
import { hashPassword, mapUserWriteError, type AuthService } from './auth.service';

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  enterpriseId?: string | null;
  /** Omitted: the user gets an invitation (a password-reset token, e-mailed when SMTP is set). */
  password?: string;
}

export interface UpdateUserInput {
  name?: string;
  role?: Role;
  status?: 'ACTIVE' | 'DISABLED';
  /** Forget the TOTP secret: the next log-in enrols a new one (lost phone). */
  resetTotp?: boolean;
  /** Lift a log-in lockout now. */
  unlock?: boolean;
}

export interface UserListQuery extends PageQuery {
  role?: Role;
  status?: 'ACTIVE' | 'DISABLED';
  enterpriseId?: string;
  email?: string;
}

/**
 * User administration. Tenant and enterprise callers work under row-level security, so another tenant's or
 * enterprise's users are invisible whatever the query says; a host admin without X-Tenant-Id manages host users.
 */
export function createUsersService(core: Pick<Core, 'dbs' | 'bus' | 'now'>, auth: Pick<AuthService, 'issuePasswordReset' | 'recordUserEvent'>) {
  const { dbs } = core;

  /** The transaction a caller's user administration runs in. */
  function inScope<T>(ctx: RequestContext, fn: (tx: Tx, hostLevel: boolean) => Promise<T>): Promise<T> {
    if (!ctx.tenantId && ctx.principal.role === 'host_admin') return dbs.system((tx) => fn(tx, true));
    return dbs.tenant(scopeOf(ctx), (tx) => fn(tx, false));
  }

  async function load(tx: Tx, hostLevel: boolean, id: string): Promise<repo.UserView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('user', id);
    let q = repo.selectUsers(tx).where('id', '=', id);
    if (hostLevel) q = q.where('tenant_id', 'is', null);
    const u = (await q.executeTakeFirst()) as repo.UserView | undefined;
    if (!u) throw new NotFoundError('user', id);
    return u;
  }

  return {
    async list(ctx: RequestContext, query: UserListQuery): Promise<Page<repo.UserView>> {
      return inScope(ctx, async (tx, hostLevel) => {
        let q = repo.selectUsers(tx);
        if (hostLevel) q = q.where('tenant_id', 'is', null);
        if (query.role) q = q.where('role', '=', query.role);
        if (query.status) q = q.where('status', '=', query.status);
        if (query.enterpriseId) q = q.where('enterprise_id', '=', query.enterpriseId);
        if (query.email) q = q.where('email', 'like', `%${normalizeEmail(query.email).replace(/[%_\\]/g, '\\$&')}%`);
        return paginate(q, query, { createdAt: 'created_at', email: 'email', name: 'name' }, 'createdAt') as Promise<Page<repo.UserView>>;
      });
    },

    async get(ctx: RequestContext, id: string): Promise<repo.UserView> {
      return inScope(ctx, (tx, hostLevel) => load(tx, hostLevel, id));
    },

    async create(ctx: RequestContext, input: CreateUserInput): Promise<repo.UserView> {
      const p = ctx.principal;
      const place = placeGrant({ role: p.role, tenantId: ctx.tenantId, enterpriseId: ctx.enterpriseId }, input.role, input.enterpriseId);
      const email = normalizeEmail(input.email);
      if (input.password !== undefined) {
        const problem = passwordProblem(input.password, email);
        if (problem) throw ValidationError.field('password', problem);
      }
      const passwordHash = input.password !== undefined ? await hashPassword(input.password) : '!';
      const id = randomUUID();
      const now = core.now();
      // Host users are written as the platform; tenant users under the tenant's RLS scope (it checks the tenant).
      const run = async (tx: Tx) => {
        await repo.insertUser(tx, { id, email, name: input.name, role: input.role, tenantId: place.tenantId, enterpriseId: place.enterpriseId, passwordHash, now });
        const user = (await repo.findUserView(tx, id))!;
        await recordAudit(tx, originOf(ctx), { tenantId: user.tenantId, enterpriseId: user.enterpriseId, action: 'create', entityType: 'user', entityId: id, after: user });
        await auth.recordUserEvent(tx, IDENTITY_EVENTS.userCreated, {
          userId: id, email, role: user.role, tenantId: user.tenantId, enterpriseId: user.enterpriseId, status: user.status,
        }, actorOf(ctx));
        return user;
      };
      let user: repo.UserView;
      try {
        user = place.tenantId ? await dbs.tenant({ tenantId: place.tenantId, enterpriseId: ctx.enterpriseId }, run) : await dbs.system(run);
      } catch (e) {
        throw mapUserWriteError(e);
      }
      if (input.password === undefined) {
        await auth.issuePasswordReset(email, { requestId: ctx.requestId, ip: ctx.ip }, 'invite');
      }
      return user;
    },

    async update(ctx: RequestContext, id: string, patch: UpdateUserInput): Promise<repo.UserView> {
      const p = ctx.principal;
      const now = core.now();
      return inScope(ctx, async (tx, hostLevel) => {
        const before = await load(tx, hostLevel, id);
        if (!canGrant(p.role, before.role)) {
          throw new ForbiddenError(`a ${p.role} cannot change a user with the role ${before.role}`);
        }
        const self = p.kind === 'user' && p.id === id;
        if (self && (patch.role !== undefined && patch.role !== before.role)) throw new ForbiddenError('you cannot change your own role');
        if (self && patch.status === 'DISABLED') throw new ForbiddenError('you cannot disable yourself');
        if (patch.role !== undefined) checkRoleChange(p.role, before.role, patch.role);

        const set: Record<string, unknown> = {};
        if (patch.name !== undefined && patch.name !== before.name) set.name = patch.name;
        if (patch.role !== undefined && patch.role !== before.role) set.role = patch.role;
        if (patch.status !== undefined && patch.status !== before.status) set.status = patch.status;
        if (patch.resetTotp) Object.assign(set, { totp_secret: null, totp_key_id: null });
        // An explicit unlock, or re-enabling a disabled user, lifts a log-in lockout.
        if (before.lockedUntil && (patch.unlock || set.status === 'ACTIVE')) Object.assign(set, { locked_until: null, failed_logins: 0 });
        if (Object.keys(set).length === 0) return before;
        await tx.updateTable('users').set({ ...set, updated_at: now }).where('id', '=', id).execute();
        // Sessions end when the user is disabled, demoted, or loses its second factor.
        if (set.status === 'DISABLED' || set.role || patch.resetTotp) await repo.revokeSessions(tx, id, now);
        const after = (await repo.findUserView(tx, id))!;
        const changed = Object.keys(set).map((k) => (k.startsWith('totp') ? 'totp' : k === 'locked_until' || k === 'failed_logins' ? 'lock' : k))
          .filter((k, i, a) => a.indexOf(k) === i);
        await recordAudit(tx, originOf(ctx), { tenantId: after.tenantId, enterpriseId: after.enterpriseId, action: 'update', entityType: 'user', entityId: id, before, after });
        await auth.recordUserEvent(tx, IDENTITY_EVENTS.userUpdated, {
          userId: id, email: after.email, role: after.role, tenantId: after.tenantId, enterpriseId: after.enterpriseId, status: after.status, changed,
        }, actorOf(ctx));
        return after;
      });
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
