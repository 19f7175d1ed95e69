import { NavLink, Outlet, useNavigate } from 'react-router';
import { api, type Page as ApiPage } from '../api';
import { ROLE_LABELS, useAuth } from '../auth';
import { useLoad } from '../hooks';
import { navSections } from '../pages/registry';

interface TenantRow {
  id: string;
  code: string;
  name: string;
}

/** The console frame: left navigation (only what the role may use), top bar with user, role and tenant. */
export function Layout() {
  const auth = useAuth();
  const user = auth.user!;
  const navigate = useNavigate();
  const sections = navSections(auth.can);
  const isHost = user.role === 'host_admin';

  // Host admins pick the tenant they work in; everyone else sees their own.
  // Enterprise users see their enterprise's name (the tenant's is host data; the API does not show it to them).
  const enterprise = useLoad<{ name: string } | null>(
    (signal) => (user.enterpriseId && !user.enterpriseName ? api.get<{ name: string }>(`enterprises/${user.enterpriseId}`, undefined, signal).catch(() => null) : Promise.resolve(null)),
    [user.enterpriseId],
  );
  const tenants = useLoad<TenantRow[]>(
    async (signal) => (isHost ? (await api.list<TenantRow>('tenants', { limit: 200, sort: 'name' }, signal).catch(() => ({ items: [] as TenantRow[] } as ApiPage<TenantRow>))).items : []),
    [isHost, auth.tenantsVersion],
  );

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden>◆</span>
          <span>OpenCMP</span>
        </div>
        <nav aria-label="Main">
          {sections.map((s) => (
            <div className="nav-section" key={s.section}>
              <div className="nav-title">{s.section}</div>
              {s.entries.map((e) => (
                <NavLink key={e.path} to={e.path} end={e.path === '/'} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
                  {e.label}
                </NavLink>
              ))}
            </div>
          ))}
        </nav>
        <div className="sidebar-foot">
          <a href="/docs" target="_blank" rel="noreferrer">API reference</a>
        </div>
      </aside>
      <div className="main">
        <header className="topbar">
          <div className="tenant">
            {isHost ? (
              <label className="tenant-pick">
                <span className="muted">Tenant</span>
                <select
                  aria-label="Working tenant" value={auth.tenantId ?? ''}
                  onChange={(e) => { auth.setTenantId(e.target.value || null); navigate('/'); }}
                >
                  <option value="">Host (no tenant)</option>
                  {(tenants.data ?? []).map((t) => <option key={t.id} value={t.id}>{t.name} ({t.code})</option>)}
                </select>
              </label>
            ) : (
              <span className="tenant-name" data-testid="tenant-name">
                {user.enterpriseId
                  ? <><span className="muted">Enterprise</span> <strong data-testid="enterprise-name">{user.enterpriseName ?? enterprise.data?.name ?? '…'}</strong></>
                  : <><span className="muted">Tenant</span> <strong>{user.tenantName ?? <code title={user.tenantId ?? ''}>{user.tenantId?.slice(0, 8) ?? '—'}</code>}</strong></>}
              </span>
            )}
          </div>
          <div className="user">
            <div className="user-text">
              <span className="user-name" data-testid="user-name">{user.name}</span>
              <span className="user-meta">{user.email}</span>
            </div>
            <span className="role-badge" data-testid="user-role">{ROLE_LABELS[user.role] ?? user.role}</span>
            <button type="button" className="btn btn-sm" onClick={async () => { await auth.logout(); navigate('/login'); }}>Sign out</button>
          </div>
        </header>
        <main className="content">
          {/* Re-mount pages when the working tenant changes so nothing from the old tenant stays on screen. */}
          <Outlet key={auth.tenantId ?? 'host'} />
        </main>
      </div>
    </div>
  );
}
