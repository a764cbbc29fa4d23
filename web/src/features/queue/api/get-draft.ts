/** One draft with the account facts and invoices it is about, for the editor. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiPaths, QueueDetail } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const getDraft = (id: string) => api(apiPaths.queueItem(id), { schema: QueueDetail });

export const draftQueryOptions = (id: string) => queryOptions({ queryKey: ['queue', 'item', id], queryFn: () => getDraft(id) });

export const useDraft = (id: string | null) => useQuery({ ...draftQueryOptions(id ?? ''), enabled: Boolean(id) });
