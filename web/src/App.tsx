import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import type { ReactNode } from 'react';
import { AuthProvider, useAuth } from './auth';
import { Layout } from './components/Layout';
import { Empty, Page, Spinner } from './components/Page';
import { LoginPage } from './pages/login';
import { pages } from './pages/registry';
import type { PageDef } from './pages/types';

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route element={<RequireLogin><Layout /></RequireLogin>}>
            {pages.map((p) => <Route key={p.path} path={p.path} element={<Guard page={p} />} />)}
            <Route path="*" element={<Page title="Not found"><Empty>There is no page at this address.</Empty></Page>} />
          </Route>
        </Routes>
      </AuthProvider>
    </BrowserRouter>
  );
}

function RequireLogin({ children }: { children: ReactNode }) {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <div className="center-screen"><Spinner /></div>;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/** Opens a page only for users holding its permission, and tenant pages only once a tenant is chosen. */
function Guard({ page }: { page: PageDef }) {
  const auth = useAuth();
  if (!auth.can(page.permission)) {
    return <Page title="Not allowed"><Empty>Your role does not give access to this page.</Empty></Page>;
  }
  if (page.tenantScoped !== false && !auth.tenantId) {
    return (
      <Page title={page.nav?.label ?? 'Choose a tenant'}>
        <Empty>This page works inside a tenant. Choose the tenant to work in from the top bar.</Empty>
      </Page>
    );
  }
  return <>{page.element}</>;
}
