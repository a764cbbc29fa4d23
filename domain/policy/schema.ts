/**
 * The escalation policy as data. Managers edit it; it is stored versioned in PostgreSQL and
 * validated with these schemas wherever it crosses a boundary.
 */
import { z } from 'zod';
import { ANSWER_STEP_ID } from '../messages';
import { Segment, Tone } from '../facts';

export const stepKinds = [
  'prevention',
  'first_reminder',
  'second_reminder',
  'final_notice',
  'call',
  'service_pause',
  'collections',
] as const;
export const StepKind = z.enum(stepKinds);
export type StepKind = z.infer<typeof StepKind>;

export const channels = ['email', 'call_task', 'letter', 'recommendation'] as const;
export const Channel = z.enum(channels);
export type Channel = z.infer<typeof Channel>;

export const PolicyStep = z.object({
  /** Stable identifier, used in idempotency keys and the paper trail. */
  id: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and _ only')
    .max(40)
    .refine((id) => id !== ANSWER_STEP_ID, `"${ANSWER_STEP_ID}" is reserved for answers to clients' questions`),
  kind: StepKind,
  label: z.string().min(1).max(80),
  /** Days from the due date of the oldest unpaid invoice; negative is before it. */
  offsetDays: z.number().int().min(-60).max(365),
  /** Latest day (relative to due) on which this step still applies; after it the step is skipped. */
  windowEndDays: z.number().int().min(-60).max(400).optional(),
  channel: Channel,
  /** The tone the step is written in before warmth calibration adjusts it. */
  baseTone: Tone,
  /** Always needs a person, even in autonomous mode. */
  sensitive: z.boolean(),
  /** A person must take this step (call, pause decision, collections decision). */
  humanOnly: z.boolean().default(false),
  /** May the message name consequences (late fees, service interruption)? */
  allowsConsequences: z.boolean().default(false),
  /** May the message state a service interruption date? */
  statesInterruption: z.boolean().default(false),
  /** For a step that states an interruption: how many days after the message service would stop. */
  interruptionAfterDays: z.number().int().min(1).max(60).optional(),
  requiresPayLink: z.boolean().default(false),
  conditions: z
    .object({
      minBalanceCents: z.number().int().nonnegative().optional(),
      segments: z.array(Segment).optional(),
      /** Only after a broken promise or no commitment (service pause). */
      requiresNoCommitment: z.boolean().optional(),
    })
    .default({}),
  enabled: z.boolean().default(true),
});
export type PolicyStep = z.infer<typeof PolicyStep>;

export const PolicyRules = z.object({
  coolDownDays: z.number().int().min(0).max(30).default(3),
  /** Days after a promised date before escalation resumes if it was not kept. */
  promiseGraceDays: z.number().int().min(0).max(30).default(2),
  /** Balances at or above this always wait for a person (autonomous mode). */
  largeBalanceCents: z.number().int().nonnegative().default(2_500_000),
  collectionsFloorCents: z.number().int().min(50_000).max(100_000).default(75_000),
  /**
   * When an account is caught up late, its first written message is a firm reminder instead of a final
   * notice or anything beyond; the final notice (and every later step) then comes at least this many
   * days after the first written message of the cycle, so the client has time to answer the first one.
   */
  catchUpSpacingDays: z.number().int().min(1).max(60).default(7),
  /** A draft waiting longer than this is raised to managers. */
  approvalDeadlineHours: z.number().int().min(1).max(24 * 14).default(48),
});
export type PolicyRules = z.infer<typeof PolicyRules>;

export const PolicyDefinition = z
  .object({
    name: z.string().min(1).max(80),
    /** Segments this policy applies to; empty = the default policy. */
    segments: z.array(Segment).default([]),
    steps: z.array(PolicyStep).min(1).max(20),
    rules: PolicyRules,
  })
  .superRefine((p, ctx) => {
    const ids = new Set<string>();
    p.steps.forEach((s, i) => {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id ${s.id}` });
      ids.add(s.id);
      if (s.windowEndDays !== undefined && s.windowEndDays < s.offsetDays)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'windowEndDays'], message: 'window ends before the step starts' });
    });
    for (let i = 1; i < p.steps.length; i++) {
      if (p.steps[i].offsetDays < p.steps[i - 1].offsetDays)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'offsetDays'], message: 'steps must be in order of their offset' });
    }
  });
export type PolicyDefinition = z.infer<typeof PolicyDefinition>;
export type PolicyDefinitionInput = z.input<typeof PolicyDefinition>;
