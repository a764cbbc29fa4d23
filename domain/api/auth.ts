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

export const LoginRequest = z.strictObject({ email: Email, password: Password });
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
});
export type Me = z.infer<typeof Me>;

/** At least 12 characters: a passphrase, not a complexity rule. */
export const NewPassword = z.string().min(12, 'use at least 12 characters').max(200);

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
});
export type ApiTokenSummary = z.infer<typeof ApiTokenSummary>;

export const CreateApiTokenRequest = z.strictObject({
  name: z.string().trim().min(1).max(120),
  scopes: z.array(TokenScope).min(1).max(tokenScopes.length),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

/** The raw token is shown once, here; only its hash is stored. Send it as `Authorization: Bearer <token>`. */
export const CreatedApiToken = ApiTokenSummary.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const ApiTokenList = z.object({ items: z.array(ApiTokenSummary) });
