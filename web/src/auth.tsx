import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Permission, Role } from '../../src/platform/auth/roles';
import { api, session } from './api';

export type { Permission, Role };

/** The logged-in user as the server describes it (POST /auth/mfa and GET /auth/me). */
export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
  permissions: Permission[];
  /** Display names, when the server includes them. */
  tenantName?: string | null;
  enterpriseName?: string | null;
}

export type LoginStep =
  | { status: 'mfa_required'; challenge: string }
  | { status: 'mfa_enrollment_required'; challenge: string; otpauthUrl: string; secret: string };

interface AuthState {
  user: CurrentUser | null;
  /** True until the stored session has been checked with GET /auth/me. */
  loading: boolean;
  can: (permission: Permission | undefined) => boolean;
  login: (email: string, password: string) => Promise<LoginStep>;
  verify: (challenge: string, code: string) => Promise<CurrentUser>;
  logout: () => Promise<void>;
  /** The tenant the console works in: the user's own, or the one a host admin picked. */
  tenantId: string | null;
  setTenantId: (id: string | null) => void;
  /** Bumped when tenants were created or changed, so the top bar's tenant list reloads. */
  tenantsVersion: number;
  tenantsChanged: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export const ROLE_LABELS: Record<Role, string> = {
  host_admin: 'Host admin',
  tenant_admin: 'Tenant admin',
  tenant_csr: 'Customer service',
  tenant_finance: 'Finance',
  tenant_integration: 'Integration (machine client)',
  enterprise_admin: 'Enterprise admin',
  enterprise_user: 'Enterprise user',
};

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<CurrentUser | null>(null);
  const [loading, setLoading] = useState(Boolean(session.token));
  const [tenantId, setTenant] = useState<string | null>(session.tenantId);
  const [tenantsVersion, setTenantsVersion] = useState(0);
  const tenantsChanged = useCallback(() => setTenantsVersion((v) => v + 1), []);

  // A stored token is only trusted after the server confirms it.
  useEffect(() => {
    if (!session.token) return;
    let live = true;
    api.get<CurrentUser | { user: CurrentUser }>('auth/me')
      .then((me) => { if (live) setUser('user' in me ? me.user : me); })
      .catch(() => { if (live) session.setToken(null); })
      .finally(() => { if (live) setLoading(false); });
    return () => { live = false; };
  }, []);

  useEffect(() => session.onUnauthorized(() => {
    session.setToken(null);
    setUser(null);
  }), []);

  const login = useCallback((email: string, password: string) => api.post<LoginStep>('auth/login', { email, password }), []);

  const verify = useCallback(async (challenge: string, code: string) => {
    const res = await api.post<{ token: string; expiresAt: string; user: CurrentUser }>('auth/mfa', { challenge, code });
    session.setToken(res.token);
    if (res.user.role !== 'host_admin') session.setTenantId(null);
    setTenant(res.user.role === 'host_admin' ? session.tenantId : null);
    setUser(res.user);
    return res.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('auth/logout');
    } catch {
      // The session is dropped locally either way.
    }
    session.setToken(null);
    session.setTenantId(null);
    setTenant(null);
    setUser(null);
  }, []);

  const setTenantId = useCallback((id: string | null) => {
    session.setTenantId(id);
    setTenant(id);
  }, []);

  const value = useMemo<AuthState>(() => {
    const perms = new Set(user?.permissions ?? []);
    return {
      user, loading, login, verify, logout, setTenantId, tenantsVersion, tenantsChanged,
      tenantId: user ? (user.role === 'host_admin' ? tenantId : user.tenantId) : null,
      can: (p) => Boolean(user) && (p === undefined || perms.has(p)),
    };
  }, [user, loading, login, verify, logout, tenantId, setTenantId, tenantsVersion, tenantsChanged]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
