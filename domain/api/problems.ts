/**
 * Errors are answered as RFC 9457 problem+json. `type` is stable and is what clients branch on;
 * `title` and `detail` are for people.
 */
import { z } from 'zod';

export const problemTypes = {
  validation: '/problems/validation',
  malformedBody: '/problems/malformed-body',
  payloadTooLarge: '/problems/payload-too-large',
  unsupportedMediaType: '/problems/unsupported-media-type',
  unauthenticated: '/problems/unauthenticated',
  sessionExpired: '/problems/session-expired',
  invalidCredentials: '/problems/invalid-credentials',
  forbidden: '/problems/forbidden',
  csrf: '/problems/csrf',
  notFound: '/problems/not-found',
  conflict: '/problems/conflict',
  alreadyDecided: '/problems/already-decided',
  superseded: '/problems/superseded',
  idempotencyKeyMissing: '/problems/idempotency-key-missing',
  idempotencyKeyReused: '/problems/idempotency-key-reused',
  invalidSignature: '/problems/invalid-signature',
  importRejected: '/problems/import-rejected',
  rateLimited: '/problems/rate-limited',
  /** The password was right; send it again with `otp` (a TOTP or recovery code). */
  mfaRequired: '/problems/mfa-required',
  /** This admin or manager must enrol a second factor (POST /api/me/totp) before anything else. */
  mfaEnrolmentRequired: '/problems/mfa-enrolment-required',
  /** A payment like one already credited was held for a person instead of credited again. */
  possibleDuplicatePayment: '/problems/possible-duplicate-payment',
  databaseUnavailable: '/problems/database-unavailable',
  workflowUnavailable: '/problems/workflow-unavailable',
  writeConflict: '/problems/write-conflict',
  timedOut: '/problems/timed-out',
  notConfigured: '/problems/not-configured',
  internal: '/problems/internal',
} as const;
export type ProblemType = (typeof problemTypes)[keyof typeof problemTypes];

export const ProblemIssue = z.object({
  /** Where the problem is: a JSON path for bodies, `row`/`column` for CSV. */
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  issues: z.array(ProblemIssue).optional(),
});
export type Problem = z.infer<typeof Problem>;
