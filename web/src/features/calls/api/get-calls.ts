/** The call list. Callers see their own and unassigned calls; the server enforces that. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiPaths, CallPage } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';
import { fallbackRefetch } from '../../../lib/live';

export interface CallFilters {
  status: 'open' | 'done' | 'cancelled';
  due?: 'true';
  mine?: 'true';
  page?: number;
  pageSize?: number;
}

export const getCalls = (filters: CallFilters) => api(apiPaths.calls, { query: { ...filters }, schema: CallPage });

export const callsQueryOptions = (filters: CallFilters) =>
  queryOptions({ queryKey: ['calls', 'list', filters], queryFn: () => getCalls(filters), refetchInterval: fallbackRefetch, placeholderData: keepPreviousData });

export const useCalls = (filters: CallFilters) => useQuery(callsQueryOptions(filters));
