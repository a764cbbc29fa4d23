/** People who sign in, and their roles. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiPaths, CreateUserRequest, UpdateUserRequest, UserList, UserSummary } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const useUsers = () => useQuery({ queryKey: ['admin', 'users'], queryFn: () => api(apiPaths.users, { schema: UserList }) });

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => api(apiPaths.users, { method: 'POST', body: CreateUserRequest.parse(body), schema: UserSummary }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: UpdateUserRequest & { id: string }) => api(apiPaths.user(id), { method: 'PATCH', body: UpdateUserRequest.parse(body), schema: UserSummary }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}

/** Opens an account locked by failed sign-ins. */
export function useUnlockUser() {
  return useMutation({ mutationFn: (id: string) => api(`${apiPaths.user(id)}/unlock`, { method: 'POST' }) });
}

/** Removes a user's authenticator app (a lost phone); they set up a new one at next sign-in. */
export function useResetMfa() {
  return useMutation({ mutationFn: (id: string) => api(`${apiPaths.user(id)}/mfa-reset`, { method: 'POST' }) });
}
