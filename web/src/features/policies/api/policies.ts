/**
 * Escalation policies, versioned. NOT YET IN THE CONTRACT (domain/api): these paths and shapes are what
 * the editor needs; the definition itself is the shared PolicyDefinition from domain/policy/schema.ts.
 * Until the API serves them the editor starts from the built-in defaults and says saving is unavailable.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { Instant, Uuid } from '../../../../../domain/api';
import { defaultPolicies } from '../../../../../domain/policy/default-policy';
import { PolicyDefinition } from '../../../../../domain/policy/schema';
import { api, ApiError } from '../../../lib/api-client';

export const policyPaths = { list: '/api/policies', versions: (name: string) => `/api/policies/${encodeURIComponent(name)}/versions` };

export const PolicyVersion = z.object({
  id: Uuid,
  name: z.string(),
  version: z.number().int(),
  active: z.boolean(),
  createdAt: Instant,
  createdBy: z.string().nullable().optional(),
  definition: PolicyDefinition,
});
export type PolicyVersion = z.infer<typeof PolicyVersion>;
export const PolicyList = z.object({ items: z.array(PolicyVersion) });

/** Saving sends the version it was edited from, so a concurrent edit answers 409 instead of being lost. */
export const SavePolicyRequest = z.strictObject({ basedOnVersion: z.number().int().nullable(), definition: PolicyDefinition });
export type SavePolicyRequest = z.infer<typeof SavePolicyRequest>;

export interface PolicyListResult {
  items: PolicyVersion[];
  /** True when the API has no policy endpoint and the built-in defaults are shown instead. */
  fromDefaults: boolean;
}

async function getPolicies(): Promise<PolicyListResult> {
  try {
    const list = await api(policyPaths.list, { schema: PolicyList });
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

export const savePolicy = (body: SavePolicyRequest) => api(policyPaths.list, { method: 'POST', body: SavePolicyRequest.parse(body), schema: PolicyVersion });

export function useSavePolicy() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: savePolicy, onSettled: () => qc.invalidateQueries({ queryKey: ['policies'] }) });
}
