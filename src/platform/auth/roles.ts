/** Every permission a route can require. Modules name theirs here so the role table stays in one place. */
export const PERMISSIONS = [
  'tenants:manage',
  'accounts:read', 'accounts:write', 'onboarding:write',
  'users:read', 'users:manage', 'apikeys:manage',
  'audit:read', 'events:manage',
  'catalog:read', 'catalog:write',
  'inventory:read', 'inventory:write',
  'orders:read', 'orders:place', 'orders:approve',
  'sims:read', 'sims:manage',
  'provisioning:read', 'provisioning:manage', 'network:callback',
  'billing:read', 'billing:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['host_admin', 'tenant_admin', 'tenant_csr', 'tenant_finance', 'tenant_integration', 'enterprise_admin', 'enterprise_user'] as const;
export type Role = (typeof ROLES)[number];

/** The level a role lives at: host roles have no tenant, enterprise roles are bound to one enterprise. */
export const ROLE_LEVEL: Record<Role, 'host' | 'tenant' | 'enterprise'> = {
  host_admin: 'host', tenant_admin: 'tenant', tenant_csr: 'tenant', tenant_finance: 'tenant', tenant_integration: 'tenant',
  enterprise_admin: 'enterprise', enterprise_user: 'enterprise',
};

const ALL = new Set<Permission>(PERMISSIONS);
const without = (...p: Permission[]) => new Set([...ALL].filter((x) => !p.includes(x)));

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  host_admin: ALL,
  tenant_admin: without('tenants:manage'),
  tenant_csr: new Set<Permission>(['accounts:read', 'accounts:write', 'users:read', 'audit:read', 'catalog:read',
    'inventory:read', 'orders:read', 'orders:place', 'orders:approve', 'sims:read', 'sims:manage', 'provisioning:read', 'billing:read']),
  tenant_finance: new Set<Permission>(['accounts:read', 'audit:read', 'catalog:read', 'orders:read', 'sims:read',
    'billing:read', 'billing:manage']),
  // Machine clients of the tenant (CRM, network callbacks): exactly what an integration needs, no administration.
  tenant_integration: new Set<Permission>(['accounts:read', 'onboarding:write', 'network:callback', 'catalog:read',
    'orders:read', 'sims:read']),
  enterprise_admin: new Set<Permission>(['accounts:read', 'users:read', 'users:manage', 'apikeys:manage', 'audit:read',
    'catalog:read', 'orders:read', 'orders:place', 'sims:read', 'sims:manage', 'billing:read']),
  enterprise_user: new Set<Permission>(['accounts:read', 'catalog:read', 'orders:read', 'sims:read', 'billing:read']),
};

/** A role may only hand out roles at its own level or below, never a higher one. */
export function canGrant(granter: Role, role: Role): boolean {
  const rank = { host: 0, tenant: 1, enterprise: 2 } as const;
  if (granter === 'host_admin') return true;
  if (granter === 'tenant_admin') return rank[ROLE_LEVEL[role]] >= 1;
  if (granter === 'enterprise_admin') return ROLE_LEVEL[role] === 'enterprise';
  return false;
}
