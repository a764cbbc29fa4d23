/** Client replies, newest first, with what each was understood as and what was done. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { ReplyPage } from '../../../../../domain/api/replies';
import { api } from '../../../lib/api-client';
import { config } from '../../../lib/config';

export interface ReplyFilters {
  status?: 'waiting' | 'proposed' | 'verifying' | 'holding' | 'answering' | 'done';
  page?: number;
  pageSize?: number;
}

export const getReplies = (filters: ReplyFilters) => api('/api/replies', { query: { ...filters }, schema: ReplyPage });

export const repliesQueryOptions = (filters: ReplyFilters) =>
  queryOptions({ queryKey: ['replies', 'list', filters], queryFn: () => getReplies(filters), refetchInterval: config.refreshMs, placeholderData: keepPreviousData });

export const useReplies = (filters: ReplyFilters) => useQuery(repliesQueryOptions(filters));
