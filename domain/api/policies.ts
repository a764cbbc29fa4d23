/**
 * Escalation policies, versioned: the newest version of each policy name, its history, and saving a
 * new version. The definition itself is the shared PolicyDefinition (domain/policy/schema.ts).
 */
import { z } from 'zod';
import { PolicyDefinition } from '../policy/schema';
import { Instant, Uuid } from './common';

export const PolicyVersion = z.object({
  id: Uuid,
  name: z.string(),
  version: z.number().int(),
  active: z.boolean(),
  createdAt: Instant,
  /** The name of the person who saved it; null for the seeded or built-in versions. */
  createdBy: z.string().nullable().optional(),
  definition: PolicyDefinition,
});
export type PolicyVersion = z.infer<typeof PolicyVersion>;
export const PolicyList = z.object({ items: z.array(PolicyVersion) });
export type PolicyList = z.infer<typeof PolicyList>;

export const PolicyNameParams = z.strictObject({ name: z.string().min(1).max(80) });

/**
 * Saving sends the version it was edited from (null for a policy not stored yet), so a concurrent
 * edit answers 409 instead of being lost. The policy's name is the definition's `name`.
 */
export const SavePolicyRequest = z.strictObject({ basedOnVersion: z.number().int().min(0).nullable(), definition: PolicyDefinition });
export type SavePolicyRequest = z.infer<typeof SavePolicyRequest>;

/** The stored version, and how many accounts with open invoices were told to re-plan under it. */
export const SavePolicyResponse = PolicyVersion.extend({
  workflow: z.object({
    accounts: z.number().int(),
    signaled: z.number().int(),
    /** When not every account was signaled: the reconciler delivers the rest once Temporal answers. */
    message: z.string().optional(),
  }),
});
export type SavePolicyResponse = z.infer<typeof SavePolicyResponse>;
