/**
 * Building blocks shared by the API's request and response schemas. Everything here is pure zod so the
 * web app can import it for its forms and for typing responses.
 */
import { z } from 'zod';
import { IsoDate } from '../facts';

export const Uuid = z.uuid();
/** The upper bound keeps sums far inside Number.MAX_SAFE_INTEGER: $10bn in cents per figure. */
export const MAX_CENTS = 1_000_000_000_000;
export const Cents = z.number().int('money is whole cents').min(0, 'money cannot be negative').max(MAX_CENTS);
export const PositiveCents = z.number().int('money is whole cents').min(1, 'the amount must be more than zero').max(MAX_CENTS);
/** An ISO-8601 instant with its offset, between 1970 and 2199 (as IsoDate): outside that it is a typo or a probe. */
export const Instant = z.iso.datetime({ offset: true }).refine((v) => {
  const ms = Date.parse(v);
  return ms >= Date.UTC(1970, 0, 1) && ms < Date.UTC(2200, 0, 1);
}, 'a time between 1970 and 2199');
export { IsoDate };

export const ShortText = z.string().trim().min(1).max(200);
export const LongText = z.string().trim().min(1).max(5000);

export const Page = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  });

/** Query-string booleans: only the spellings a person or script would really send. */
export const QueryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const Actor = z.object({
  type: z.enum(['user', 'system', 'integration', 'client']),
  id: z.string().nullable(),
  name: z.string().nullable(),
});

/** Every write that changes an account's facts answers with the new facts version and whether the workflow heard about it. */
export const WorkflowNotice = z.object({
  signaled: z.boolean(),
  /** When not signaled: the fact is stored and the reconciler will deliver it once Temporal is back. */
  message: z.string().optional(),
});
export type WorkflowNotice = z.infer<typeof WorkflowNotice>;

export const FactWriteResponse = z.object({
  accountId: Uuid,
  factsVersion: z.number().int(),
  workflow: WorkflowNotice,
});
export type FactWriteResponse = z.infer<typeof FactWriteResponse>;
