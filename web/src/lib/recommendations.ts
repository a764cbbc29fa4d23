/**
 * Service pauses and collections referrals waiting for a manager. Shared because two features show
 * them (the account page and the command center's "needs a person now") and features do not import
 * each other. A decision refreshes both lists and the account it is about.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  apiPaths,
  RecommendationDecisionRequest,
  RecommendationDecisionResponse,
  RecommendationPage,
  type RecommendationListQuery,
} from '../../../domain/api';
import { api } from './api-client';
import { fallbackRefetch } from './live';

type Filters = Partial<Pick<RecommendationListQuery, 'status' | 'accountId' | 'kind' | 'pageSize'>>;

export const getRecommendations = (filters: Filters) => api(apiPaths.recommendations, { query: { ...filters }, schema: RecommendationPage });

export const recommendationsQueryOptions = (filters: Filters) =>
  queryOptions({ queryKey: ['recommendations', 'list', filters], queryFn: () => getRecommendations(filters), refetchInterval: fallbackRefetch });

export const useRecommendations = (filters: Filters, enabled = true) => useQuery({ ...recommendationsQueryOptions(filters), enabled });

export const decideRecommendation = ({ id, body }: { id: string; body: RecommendationDecisionRequest }) =>
  api(apiPaths.recommendationDecision(id), { method: 'POST', body: RecommendationDecisionRequest.parse(body), schema: RecommendationDecisionResponse });

export function useDecideRecommendation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: decideRecommendation,
    onSettled: () => Promise.all([qc.invalidateQueries({ queryKey: ['recommendations'] }), qc.invalidateQueries({ queryKey: ['accounts'] })]),
  });
}
