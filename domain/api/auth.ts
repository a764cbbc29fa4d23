/** Sign-in, the current user, user administration and integration tokens. */
import { z } from 'zod';
import { Instant, Uuid } from './common';

export const roles = ['admin', 'manager', 'clerk', 'caller', 'viewer'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

export const tokenScopes = ['invoices:write', 'payments:write', 'read'] as const;
export const TokenScope = z.enum(tokenScopes);
export type TokenScope = z.infer<typeof TokenScope>;

const Email = z.string().trim().toLowerCase().max(254).pipe(z.email());
const Password = z.string().min(1).max(1000);
/** A six-digit TOTP code, or one of the recovery codes (xxxxx-xxxxx). */
export const OneTimeCode = z.string().trim().min(6).max(32);

/** `otp` is needed when the user has a second factor; without it the answer is 401 `mfa-required`. */
export const LoginRequest = z.strictObject({ email: Email, password: Password, otp: OneTimeCode.optional() });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const UserSummary = z.object({
  id: Uuid,
  email: z.string(),
  name: z.string(),
  role: Role,
  active: z.boolean(),
});
export type UserSummary = z.infer<typeof UserSummary>;

/**
 * The answer to login and `GET /api/me`. Send `csrfToken` back in the `X-CSRF-Token` header on every
 * POST/PUT/PATCH/DELETE made with the session cookie.
 */
export const Me = z.object({
  user: UserSummary,
  csrfToken: z.string(),
  expiresAt: Instant,
  /** What the signed-in user may do, so the web app can hide what the server would refuse anyway. */
  permissions: z.array(z.string()),
  /**
   * `required` and not `enabled`: this admin or manager must enrol a second factor before anything
   * else (every other endpoint answers 403 `mfa-enrolment-required` until then).
   */
  mfa: z.object({ enabled: z.boolean(), required: z.boolean(), recoveryCodesLeft: z.number().int() }),
});
export type Me = z.infer<typeof Me>;

/**
 * At least 12 characters, any characters, no composition rule: a passphrase. The server also refuses
 * common and breached passwords (api/auth/passwords.ts), which a form cannot know.
 */
export const NewPassword = z.string().refine((v) => [...v].length >= 12, 'use at least 12 characters').refine((v) => v.length <= 256, 'use at most 256 characters');

export const ChangePasswordRequest = z.strictObject({ currentPassword: Password, newPassword: NewPassword });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

/** Start TOTP enrolment: the secret for an authenticator app, in force once a code from it is confirmed. */
export const TotpEnrolment = z.object({ secret: z.string(), otpauthUrl: z.string() });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;
export const TotpConfirmRequest = z.strictObject({ code: OneTimeCode });
/** Shown once: each code signs in once in place of a TOTP code. */
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
export const TotpDisableRequest = z.strictObject({ currentPassword: Password });

export const CreateUserRequest = z.strictObject({
  email: Email,
  name: z.string().trim().min(1).max(120),
  role: Role,
  password: NewPassword,
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(120).optional(),
    role: Role.optional(),
    active: z.boolean().optional(),
    password: NewPassword.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const UserList = z.object({ items: z.array(UserSummary) });

export const ApiTokenSummary = z.object({
  id: Uuid,
  name: z.string(),
  scopes: z.array(TokenScope),
  createdAt: Instant,
  lastUsedAt: Instant.nullable(),
  revokedAt: Instant.nullable(),
  /** Refused from then on; null for tokens made before tokens expired. */
  expiresAt: Instant.nullable(),
});
export type ApiTokenSummary = z.infer<typeof ApiTokenSummary>;

export const CreateApiTokenRequest = z.strictObject({
  name: z.string().trim().min(1).max(120),
  scopes: z.array(TokenScope).min(1).max(tokenScopes.length),
  /** Days until it expires; the installation's maximum (API_TOKEN_MAX_DAYS, 365 by default) unless said. */
  expiresInDays: z.number().int().min(1).max(3660).optional(),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

/** The raw token is shown once, here; only its hash is stored. Send it as `Authorization: Bearer <token>`. */
export const CreatedApiToken = ApiTokenSummary.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const ApiTokenList = z.object({ items: z.array(ApiTokenSummary) });
