/** Logging a call's outcome; a promise or dispute changes the account's course through its workflow. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPaths, CallOutcomeRequest, CallOutcomeResponse } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const logOutcome = ({ id, body }: { id: string; body: CallOutcomeRequest }) =>
  api(apiPaths.callOutcome(id), { method: 'POST', body: CallOutcomeRequest.parse(body), schema: CallOutcomeResponse });

export function useLogOutcome() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: logOutcome,
    onSettled: () => Promise.all([qc.invalidateQueries({ queryKey: ['calls'] }), qc.invalidateQueries({ queryKey: ['accounts'] })]),
  });
}
