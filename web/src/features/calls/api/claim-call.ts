/** Claim a call onto my list or hand it back; the server settles a race between two callers. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPaths, CallClaimResponse } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const claimCall = ({ id, release }: { id: string; release?: boolean }) =>
  api(release ? apiPaths.callRelease(id) : apiPaths.callClaim(id), { method: 'POST', schema: CallClaimResponse });

export function useClaimCall() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: claimCall, onSettled: () => qc.invalidateQueries({ queryKey: ['calls'] }) });
}
