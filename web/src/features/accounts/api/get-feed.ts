/** The account feed and its invoice list: one request, refreshed with the account when facts change. */
import { useQuery } from '@tanstack/react-query';
import { AccountFeed, apiPaths } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';
import { fallbackRefetch } from '../../../lib/live';

export const useAccountFeed = (id: string) =>
  useQuery({ queryKey: ['accounts', 'feed', id], queryFn: () => api(apiPaths.accountFeed(id), { schema: AccountFeed }), refetchInterval: fallbackRefetch });
