/**
 * Escalation policies, versioned. When a server has no policy storage (404), the editor starts from
 * the built-in defaults so a manager can still check a change; saving then says it is unavailable.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiPaths, PolicyList, SavePolicyRequest, SavePolicyResponse, type PolicyVersion } from '../../../../../domain/api';
import { defaultPolicies } from '../../../../../domain/policy/default-policy';
import { api, ApiError } from '../../../lib/api-client';

export type { PolicyVersion };

export interface PolicyListResult {
  items: PolicyVersion[];
  fromDefaults: boolean;
}

async function getPolicies(): Promise<PolicyListResult> {
  try {
    const list = await api(apiPaths.policies, { schema: PolicyList });
    return { items: list.items, fromDefaults: false };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return {
        fromDefaults: true,
        items: defaultPolicies.map((definition) => ({ id: crypto.randomUUID(), name: definition.name, version: 0, active: true, createdAt: new Date(0).toISOString(), definition })),
      };
    }
    throw e;
  }
}

export const policiesQueryOptions = () => queryOptions({ queryKey: ['policies'], queryFn: getPolicies });
export const usePolicies = () => useQuery(policiesQueryOptions());

export const savePolicy = (body: SavePolicyRequest) => api(apiPaths.policies, { method: 'POST', body: SavePolicyRequest.parse(body), schema: SavePolicyResponse });

export function useSavePolicy() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: savePolicy, onSettled: () => qc.invalidateQueries({ queryKey: ['policies'] }) });
}
