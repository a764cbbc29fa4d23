/** A clerk's one click: the promise a reply proposed becomes a recorded promise. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ConfirmPromiseResponse } from '../../../../../domain/api/replies';
import { api } from '../../../lib/api-client';

export const confirmPromise = (replyId: string) => api(`/api/replies/${encodeURIComponent(replyId)}/confirm-promise`, { method: 'POST', schema: ConfirmPromiseResponse });

export function useConfirmPromise() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: confirmPromise,
    onSettled: () => Promise.all([qc.invalidateQueries({ queryKey: ['replies'] }), qc.invalidateQueries({ queryKey: ['accounts'] })]),
  });
}
