/** Approve, approve with edits, or reject one draft; the answer may be "already decided" or "superseded". */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPaths, DecisionRequest, DecisionResponse } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const decideDraft = ({ id, decision }: { id: string; decision: DecisionRequest }) =>
  api(apiPaths.queueDecision(id), { method: 'POST', body: DecisionRequest.parse(decision), schema: DecisionResponse });

export function useDecideDraft(options: { onSettled?: (id: string) => void } = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: decideDraft,
    onSettled: async (_data, _error, vars) => {
      options.onSettled?.(vars.id);
      await Promise.all([qc.invalidateQueries({ queryKey: ['queue'] }), qc.invalidateQueries({ queryKey: ['accounts'] })]);
    },
  });
}
