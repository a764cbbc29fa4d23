/** Routes. Feature pages load lazily so the command center's charts do not slow the queue down. */
import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { EmptyState, PageLoading } from '../components/page-state';
import { RequireAuth, useUser } from '../lib/auth';
import type { Capability } from '../lib/authorization';
import { LoginPage } from '../features/auth/components/login-page';
import { AppLayout, homeFor } from './layout';

function page<M>(load: () => Promise<M>, pick: (m: M) => ComponentType) {
  const Component = lazy(async () => ({ default: pick(await load()) }));
  return function LazyPage() {
    return (
      <Suspense fallback={<PageLoading />}>
        <Component />
      </Suspense>
    );
  };
}

const QueuePage = page(() => import('../features/queue/components/queue-page'), (m) => m.QueuePage);
const AccountListPage = page(() => import('../features/accounts/components/account-list-page'), (m) => m.AccountListPage);
const AccountPage = page(() => import('../features/accounts/components/account-page'), (m) => m.AccountPage);
const CallListPage = page(() => import('../features/calls/components/call-list-page'), (m) => m.CallListPage);
const CallPage = page(() => import('../features/calls/components/call-page'), (m) => m.CallPage);
const CommandCenterPage = page(() => import('../features/command-center/components/command-center-page'), (m) => m.CommandCenterPage);
const PolicyPage = page(() => import('../features/policies/components/policy-page'), (m) => m.PolicyPage);
const ImportPage = page(() => import('../features/imports/components/import-page'), (m) => m.ImportPage);
const AccountSettingsPage = page(() => import('../features/auth/components/account-settings-page'), (m) => m.AccountSettingsPage);
const AdminPage = page(() => import('../features/admin/components/admin-page'), (m) => m.AdminPage);

function Home() {
  const me = useUser();
  return <Navigate to={homeFor(me)} replace />;
}

const guarded = (capability: Capability, element: React.ReactNode) => <RequireAuth capability={capability}>{element}</RequireAuth>;

/** A page that crashes shows this instead of a blank screen, inside the app's frame. */
function RouteError() {
  return <EmptyState title="This page hit an unexpected error">Reload the page; if it happens again, tell your administrator what you were doing.</EmptyState>;
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    path: '/',
    errorElement: <RouteError />,
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <Home /> },
      { path: 'queue', element: guarded('queue:read', <QueuePage />) },
      { path: 'accounts', element: guarded('accounts:read', <AccountListPage />) },
      { path: 'accounts/:accountId', element: guarded('accounts:read', <AccountPage />) },
      { path: 'calls', element: guarded('calls:read', <CallListPage />) },
      { path: 'calls/:callId', element: guarded('calls:read', <CallPage />) },
      { path: 'command-center', element: guarded('metrics:read', <CommandCenterPage />) },
      { path: 'policies', element: guarded('policies:write', <PolicyPage />) },
      { path: 'imports', element: guarded('imports:run', <ImportPage />) },
      { path: 'admin', element: guarded('users:manage', <AdminPage />) },
      { path: 'account', element: <AccountSettingsPage /> },
      { path: '*', element: <EmptyState title="There is no page here">Use the navigation to find what you need.</EmptyState> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
