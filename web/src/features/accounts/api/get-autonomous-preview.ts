/**
 * What autonomous mode would send to this account in the next 30 days, from the policy simulation.
 * NOT YET IN THE CONTRACT (domain/api): this is the shape the web app asks for; until the API serves
 * it, the switch to autonomous stays locked and says why.
 */
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { Instant } from '../../../../../domain/api';
import { Tone } from '../../../../../domain/facts';
import { api } from '../../../lib/api-client';

export const autonomousPreviewPath = (id: string) => `/api/accounts/${id}/preview`;

export const AutonomousPreview = z.object({
  from: Instant,
  until: Instant,
  items: z.array(
    z.object({
      at: Instant,
      stepId: z.string(),
      channel: z.string(),
      tone: Tone.nullable().optional(),
      amountCents: z.number().int().nullable().optional(),
      /** True when the step would go out by itself; false when it would still wait for a person. */
      autonomous: z.boolean(),
      /** Why a person would still decide (final notice, key account, large balance…). */
      reasons: z.array(z.string()).default([]),
      subject: z.string().nullable().optional(),
    }),
  ),
  /** Steps the simulation skipped or stopped at (paid, dispute open, promise…), for context. */
  notes: z.array(z.string()).default([]),
});
export type AutonomousPreview = z.infer<typeof AutonomousPreview>;

export const getAutonomousPreview = (id: string) => api(autonomousPreviewPath(id), { query: { mode: 'autonomous', days: 30 }, schema: AutonomousPreview });

export const useAutonomousPreview = (id: string, enabled: boolean) =>
  useQuery({ queryKey: ['accounts', 'preview', id], queryFn: () => getAutonomousPreview(id), enabled, retry: false, staleTime: 0 });
