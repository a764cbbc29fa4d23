/** Integration tokens: the raw token is shown once, at creation. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiTokenList, apiPaths, CreateApiTokenRequest, CreatedApiToken } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const useTokens = () => useQuery({ queryKey: ['admin', 'tokens'], queryFn: () => api(apiPaths.tokens, { schema: ApiTokenList }) });

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenRequest) => api(apiPaths.tokens, { method: 'POST', body: CreateApiTokenRequest.parse(body), schema: CreatedApiToken }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['admin', 'tokens'] }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(apiPaths.token(id), { method: 'DELETE' }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['admin', 'tokens'] }),
  });
}
