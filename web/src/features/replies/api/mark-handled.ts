/** A person settles a reply waiting for one, with a note of what they did. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { HandledResponse } from '../../../../../domain/api/replies';
import { api } from '../../../lib/api-client';

export const markHandled = ({ replyId, note }: { replyId: string; note: string }) =>
  api(`/api/replies/${encodeURIComponent(replyId)}/handled`, { method: 'POST', body: { note }, schema: HandledResponse });

export function useMarkHandled() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: markHandled,
    onSettled: () => Promise.all([qc.invalidateQueries({ queryKey: ['replies'] }), qc.invalidateQueries({ queryKey: ['metrics'] })]),
  });
}
