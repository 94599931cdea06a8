import { Center, Loader } from '@mantine/core';
import { lazy, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useMe } from './api/auth';
import { Layout } from './components/Layout';
import { QueryError } from './components/QueryError';
import { AccountPage } from './pages/AccountPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage, SignUpPage } from './pages/AuthPages';
import { TokensPage } from './pages/TokensPage';
import { ZonePage } from './pages/ZonePage';
import { ZonesPage } from './pages/ZonesPage';

// Pages with heavy dependencies (charts, the contract's schemas) load when first opened.
const HealthPage = lazy(() => import('./pages/HealthPage').then((m) => ({ default: m.HealthPage })));
const RrsetEditorPage = lazy(() => import('./pages/RrsetEditorPage').then((m) => ({ default: m.RrsetEditorPage })));
const SupportPage = lazy(() => import('./pages/SupportPage').then((m) => ({ default: m.SupportPage })));
const AuditPage = lazy(() => import('./pages/AuditPage').then((m) => ({ default: m.AuditPage })));
const NotificationsPage = lazy(() => import('./pages/NotificationsPage').then((m) => ({ default: m.NotificationsPage })));

function FullPageLoader() {
  return (
    <Center h="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

/** Pages for signed-in users; others go to the sign-in page and come back after. */
function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <FullPageLoader />;
  if (me.isError) return <QueryError error={me.error} />;
  if (!me.data) return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

function Home() {
  const me = useMe();
  // Support staff without an account of their own land in the support console.
  if (me.data && me.data.accounts.length === 0 && me.data.user.is_support) return <Navigate to="/support" replace />;
  return <Navigate to="/zones" replace />;
}

export function App() {
  return (
    <Routes>
      <Route path="/signin" element={<SignInPage />} />
      <Route path="/signup" element={<SignUpPage />} />
      <Route
        element={
          <RequireAuth>
            <Layout />
          </RequireAuth>
        }
      >
        <Route index element={<Home />} />
        <Route path="zones" element={<ZonesPage />} />
        <Route path="zones/:zone" element={<ZonePage />} />
        <Route path="zones/:zone/new" element={<RrsetEditorPage />} />
        <Route path="zones/:zone/:name/:type" element={<RrsetEditorPage />} />
        <Route path="zones/:zone/:name/:type/health" element={<HealthPage />} />
        <Route path="tokens" element={<TokensPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="support" element={<SupportPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
