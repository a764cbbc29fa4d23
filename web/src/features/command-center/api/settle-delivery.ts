/** A person's answer about a message that may have been sent: the client received it, or it goes out again. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { FactWriteResponse } from '../../../../../domain/api/common';
import { api } from '../../../lib/api-client';

const DeliveryResponse = FactWriteResponse.extend({ status: z.enum(['sent', 'superseded']) });

export const settleDelivery = ({ messageId, received }: { messageId: string; received: boolean }) =>
  api(`/api/messages/${encodeURIComponent(messageId)}/delivery`, { method: 'POST', body: { received }, schema: DeliveryResponse });

export function useSettleDelivery() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: settleDelivery, onSettled: () => qc.invalidateQueries() });
}
