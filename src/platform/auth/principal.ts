import type { TenantScope } from '../db/database';
import type { Actor } from '../events/outbox';
import type { AuditOrigin } from '../audit/audit';
import { ForbiddenError } from '../http/errors';
import { ROLE_PERMISSIONS, type Permission, type Role } from './roles';

/** Who is calling: a logged-in user or an API key, with the level it is bound to. */
export interface Principal {
  kind: 'user' | 'api_key' | 'system';
  id: string;
  name: string;
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
}

/** What every service call receives from a route: the caller, the scope it acts in, and where it came from. */
export interface RequestContext {
  principal: Principal;
  /** The tenant the call acts in: the principal's, or for a host admin the X-Tenant-Id it names. */
  tenantId: string | null;
  enterpriseId: string | null;
  requestId: string;
  ip: string | null;
}

export function can(p: Principal, perm: Permission): boolean {
  return ROLE_PERMISSIONS[p.role].has(perm);
}

export function actorOf(ctx: RequestContext): Actor {
  return { type: ctx.principal.kind, id: ctx.principal.id, name: ctx.principal.name };
}

export function originOf(ctx: RequestContext): AuditOrigin {
  return { actor: actorOf(ctx), requestId: ctx.requestId, ip: ctx.ip };
}

/** The RLS scope of a request. A call that needs a tenant and has none is refused. */
export function scopeOf(ctx: RequestContext): TenantScope {
  if (!ctx.tenantId) throw new ForbiddenError('this operation needs a tenant: host admins name one with the X-Tenant-Id header');
  return { tenantId: ctx.tenantId, enterpriseId: ctx.enterpriseId };
}

/** A context for work the platform does by itself (workers, schedules, seeding) inside one tenant. */
export function systemContext(tenantId: string | null, enterpriseId: string | null = null, name = 'system'): RequestContext {
  return {
    principal: { kind: 'system', id: '00000000-0000-0000-0000-000000000000', name, role: tenantId ? 'tenant_admin' : 'host_admin', tenantId, enterpriseId },
    tenantId, enterpriseId, requestId: `system-${Date.now()}`, ip: null,
  };
}
