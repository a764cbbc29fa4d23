/** One account with invoices, payments, promises, disputes and the newest part of its timeline. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { AccountDetail, AccountLiveState, apiPaths, TimelinePage } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';
import { fallbackRefetch } from '../../../lib/live';

export const getAccount = (id: string) => api(apiPaths.account(id), { schema: AccountDetail });

export const accountQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['accounts', 'detail', id],
    queryFn: () => getAccount(id),
    // The engine's plan lands a moment after the fact that changed it, without an event of its own:
    // look again each second until the engine has seen the latest facts.
    refetchInterval: (q) => (q.state.data && q.state.data.account.factsVersion !== q.state.data.account.workflowSeenVersion ? 1000 : fallbackRefetch()),
  });

export const useAccount = (id: string) => useQuery(accountQueryOptions(id));

/** Older timeline pages, fetched on demand below the first page that comes with the account. */
export const getTimeline = (id: string, before: number) => api(apiPaths.accountTimeline(id), { query: { before, limit: 100 }, schema: TimelinePage });

/** What the workflow says right now; the page still works when Temporal cannot answer. */
export const getAccountState = (id: string) => api(apiPaths.accountState(id), { schema: AccountLiveState });

export const useAccountState = (id: string) =>
  useQuery({ queryKey: ['accounts', 'state', id], queryFn: () => getAccountState(id), refetchInterval: fallbackRefetch, retry: false });
