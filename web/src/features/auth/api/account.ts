/** What a signed-in person does for their own account: password, sign out everywhere, second factor. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { ChangePasswordRequest, RecoveryCodes, TotpEnrolment } from '../../../../../domain/api';
import { api, setCsrfToken } from '../../../lib/api-client';
import { meQueryKey } from '../../../lib/auth';

const paths = {
  password: '/api/me/password',
  logoutEverywhere: '/api/auth/logout-everywhere',
  totp: '/api/me/totp',
  totpConfirm: '/api/me/totp/confirm',
  recoveryCodes: '/api/me/recovery-codes',
};

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: ChangePasswordRequest) => api(paths.password, { method: 'POST', body, schema: z.object({ ok: z.literal(true), otherSessionsEnded: z.number() }) }),
  });
}

export function useLogoutEverywhere() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api(paths.logoutEverywhere, { method: 'POST', quietOn401: true }),
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      // A full load: nothing of the signed-out session stays in memory.
      window.location.assign('/login');
    },
  });
}

export function useStartTotp() {
  return useMutation({ mutationFn: () => api(paths.totp, { method: 'POST', schema: TotpEnrolment }) });
}

export function useConfirmTotp() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api(paths.totpConfirm, { method: 'POST', body: { code }, schema: RecoveryCodes }),
    onSuccess: () => qc.invalidateQueries({ queryKey: meQueryKey }),
  });
}

export function useNewRecoveryCodes() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api(paths.recoveryCodes, { method: 'POST', schema: RecoveryCodes }),
    onSuccess: () => qc.invalidateQueries({ queryKey: meQueryKey }),
  });
}
