/** The accounts list with search, filters and sorting. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { AccountPage, apiPaths, type AccountListQuery } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export type AccountFilters = Partial<AccountListQuery>;

export const getAccounts = (filters: AccountFilters) => api(apiPaths.accounts, { query: filters, schema: AccountPage });

export const accountsQueryOptions = (filters: AccountFilters) =>
  queryOptions({ queryKey: ['accounts', 'list', filters], queryFn: () => getAccounts(filters), placeholderData: keepPreviousData });

export const useAccounts = (filters: AccountFilters) => useQuery(accountsQueryOptions(filters));
