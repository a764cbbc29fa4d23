/** Approve many routine drafts at once; each one answers for itself. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPaths, BulkApproveRequest, BulkApproveResponse } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const bulkApprove = (messageIds: string[]) =>
  api(apiPaths.queueBulkApprove, { method: 'POST', body: BulkApproveRequest.parse({ messageIds }), schema: BulkApproveResponse });

export function useBulkApprove() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: bulkApprove,
    onSettled: () => qc.invalidateQueries({ queryKey: ['queue'] }),
  });
}
