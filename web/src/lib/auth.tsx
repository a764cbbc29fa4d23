/** The signed-in user: fetched once, kept in the query cache, cleared when the API drops the session. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { apiPaths, LoginRequest, Me } from '../../../domain/api';
import { api, ApiError, onSessionLost, setCsrfToken } from './api-client';
import { can, type Capability } from './authorization';
import { PageError, PageLoading } from '../components/page-state';

export const meQueryKey = ['me'] as const;

async function getMe(): Promise<Me | null> {
  try {
    const me = await api(apiPaths.me, { schema: Me, quietOn401: true });
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

export const meQueryOptions = () => queryOptions({ queryKey: meQueryKey, queryFn: getMe, staleTime: 5 * 60_000, retry: false });

export function useMe() {
  return useQuery(meQueryOptions());
}

export function useUser(): Me | null {
  return useMe().data ?? null;
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => api(apiPaths.login, { method: 'POST', body, schema: Me, quietOn401: true }),
    onSuccess: (me) => {
      setCsrfToken(me.csrfToken);
      qc.setQueryData(meQueryKey, me);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api(apiPaths.logout, { method: 'POST', quietOn401: true }),
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(meQueryKey, null);
    },
  });
}

/** Drops the cached user when any request finds the session gone. */
export function SessionWatcher() {
  const qc = useQueryClient();
  useEffect(
    () =>
      onSessionLost(() => {
        setCsrfToken(null);
        qc.setQueryData(meQueryKey, null);
      }),
    [qc],
  );
  return null;
}

export function RequireAuth({ children, capability }: { children: ReactNode; capability?: Capability }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageLoading label="Checking your session" />;
  if (me.isError) return <PageError error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  // An admin or manager without the required second factor sets it up before anything else.
  if (me.data.mfa.required && !me.data.mfa.enabled && location.pathname !== '/account') return <Navigate to="/account" replace />;
  if (capability && !can(me.data, capability))
    return <PageError title="Not available for your role" error={new Error(`Your role (${me.data.user.role}) cannot use this page.`)} />;
  return <>{children}</>;
}
