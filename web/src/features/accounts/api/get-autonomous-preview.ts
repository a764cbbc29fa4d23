/** What autonomous mode would send to this account in the next 30 days, from the policy simulation. */
import { useQuery } from '@tanstack/react-query';
import { apiPaths, AutonomousPreview } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';

export const getAutonomousPreview = (id: string) => api(apiPaths.accountPreview(id), { query: { mode: 'autonomous', days: 30 }, schema: AutonomousPreview });

export const useAutonomousPreview = (id: string, enabled: boolean) =>
  useQuery({ queryKey: ['accounts', 'preview', id], queryFn: () => getAutonomousPreview(id), enabled, retry: false, staleTime: 0 });
