/** The pending drafts list, refreshed on a timer so a withdrawn draft leaves without a reload. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiPaths, QueuePage, type QueueQuery } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';
import { fallbackRefetch } from '../../../lib/live';

export type QueueFilters = Partial<Pick<QueueQuery, 'sort' | 'order' | 'search' | 'page' | 'pageSize'>> & { sensitive?: 'true' | 'false' };

export const getQueue = (filters: QueueFilters) => api(apiPaths.queue, { query: filters, schema: QueuePage });

export const queueQueryOptions = (filters: QueueFilters) =>
  queryOptions({
    queryKey: ['queue', 'list', filters],
    queryFn: () => getQueue(filters),
    refetchInterval: fallbackRefetch,
    placeholderData: keepPreviousData,
  });

export const useQueue = (filters: QueueFilters) => useQuery(queueQueryOptions(filters));
