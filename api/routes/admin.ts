/** Users and integration tokens: admin only. */
import * as argon2 from '@node-rs/argon2';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { appendEvent } from '../../db/events';
import * as t from '../../db/schema';
import { ApiTokenList, CreateApiTokenRequest, CreatedApiToken, CreateUserRequest, UpdateUserRequest, UserList, UserSummary } from '../../domain/api/auth';
import { TOKEN_PREFIX, randomToken, sha256 } from '../auth/principal';
import { passwordProblem } from '../auth/passwords';
import { unlockAccount } from '../auth/throttle';
import { problems } from '../problems';
import { route } from '../routing';
import { IdParams, iso, isoOrNull } from './support';
import { z } from 'zod';
import type { TokenScope } from '../../domain/api/auth';

const userView = (u: t.User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, active: u.active });

function checkPassword(password: string, context: string[]): void {
  const problem = passwordProblem(password, context);
  if (problem) throw problems.validation(`body.password: ${problem}`, [{ path: ['body', 'password'], message: problem }]);
}

export const adminRoutes = [
  route({
    method: 'get',
    path: '/api/users',
    summary: 'List users',
    tag: 'admin',
    access: { kind: 'permission', permission: 'users:manage' },
    response: UserList,
    async handler({ deps }) {
      const rows = await deps.db.db.select().from(t.users).orderBy(asc(t.users.name));
      return { items: rows.map(userView) };
    },
  }),
  route({
    method: 'post',
    path: '/api/users',
    summary: 'Create a user',
    tag: 'admin',
    access: { kind: 'permission', permission: 'users:manage' },
    body: CreateUserRequest,
    response: UserSummary,
    status: 201,
    async handler({ deps, body, actor }) {
      const db = deps.db.db;
      const [exists] = await db.select({ id: t.users.id }).from(t.users).where(eq(sql`lower(${t.users.email})`, body.email));
      if (exists) throw problems.conflict('A user with this e-mail already exists.');
      checkPassword(body.password, [body.email, body.name]);
      const [u] = await db
        .insert(t.users)
        .values({ email: body.email, name: body.name, role: body.role, passwordHash: await argon2.hash(body.password) })
        .returning();
      await appendEvent(db, { type: 'user.created', actor, data: { userId: u.id, email: u.email, role: u.role } });
      return userView(u);
    },
  }),
  route({
    method: 'patch',
    path: '/api/users/:id',
    summary: 'Change a user: name, role, active, password',
    tag: 'admin',
    access: { kind: 'permission', permission: 'users:manage' },
    params: IdParams,
    body: UpdateUserRequest,
    response: UserSummary,
    async handler({ deps, params, body, actor, principal }) {
      const db = deps.db.db;
      return db.transaction(async (tx) => {
        const [u] = await tx.select().from(t.users).where(eq(t.users.id, params.id)).for('update');
        if (!u) throw problems.notFound('This user');
        // Switching off one's own sign-in ends one's own session mid-change and may leave nobody able to undo it.
        if (body.active === false && principal.id === u.id) throw problems.conflict('You cannot switch off your own sign-in; ask another admin.');
        if (body.password) checkPassword(body.password, [u.email, body.name ?? u.name]);
        const demotes = (body.role && body.role !== 'admin') || body.active === false;
        if (u.role === 'admin' && demotes) {
          const [{ n }] = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(t.users)
            .where(and(eq(t.users.role, 'admin'), eq(t.users.active, true), ne(t.users.id, u.id)));
          if (n === 0) throw problems.conflict('This is the last active admin; make someone else admin first.');
        }
        const [updated] = await tx
          .update(t.users)
          .set({
            ...(body.name ? { name: body.name } : {}),
            ...(body.role ? { role: body.role } : {}),
            ...(body.active !== undefined ? { active: body.active } : {}),
            ...(body.password ? { passwordHash: await argon2.hash(body.password) } : {}),
          })
          .where(eq(t.users.id, u.id))
          .returning();
        // A changed role, password or deactivation must not leave old sessions holding old rights.
        if (body.role || body.password || body.active === false) await tx.delete(t.sessions).where(eq(t.sessions.userId, u.id));
        await appendEvent(tx, {
          type: 'user.updated',
          actor,
          data: {
            userId: u.id,
            changes: { ...(body.name ? { name: body.name } : {}), ...(body.role ? { role: { from: u.role, to: body.role } } : {}), ...(body.active !== undefined ? { active: body.active } : {}), ...(body.password ? { password: 'changed' } : {}) },
            self: principal.id === u.id,
          },
        });
        return userView(updated);
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/tokens',
    summary: 'List integration tokens (never the secrets)',
    tag: 'admin',
    access: { kind: 'permission', permission: 'tokens:manage' },
    response: ApiTokenList,
    async handler({ deps }) {
      const rows = await deps.db.db.select().from(t.apiTokens).orderBy(asc(t.apiTokens.createdAt));
      return {
        items: rows.map((r) => ({ id: r.id, name: r.name, scopes: r.scopes as TokenScope[], createdAt: r.createdAt.toISOString(), lastUsedAt: isoOrNull(r.lastUsedAt), revokedAt: isoOrNull(r.revokedAt), expiresAt: isoOrNull(r.expiresAt) })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/tokens',
    summary: 'Create an integration token; the secret is in this answer only',
    tag: 'admin',
    access: { kind: 'permission', permission: 'tokens:manage' },
    body: CreateApiTokenRequest,
    response: CreatedApiToken,
    status: 201,
    async handler({ deps, body, actor, principal, now }) {
      const maxDays = deps.config.apiTokenMaxDays;
      if (body.expiresInDays && body.expiresInDays > maxDays)
        throw problems.validation(`body.expiresInDays: at most ${maxDays} days on this installation`, [{ path: ['body', 'expiresInDays'], message: `at most ${maxDays}` }]);
      const token = TOKEN_PREFIX + randomToken(32);
      const scopes = [...new Set(body.scopes)];
      const expiresAt = new Date(now.getTime() + (body.expiresInDays ?? maxDays) * 86_400_000);
      const [r] = await deps.db.db
        .insert(t.apiTokens)
        .values({ name: body.name, tokenHash: sha256(token), scopes, createdBy: principal.kind === 'user' ? principal.id : null, createdAt: now, expiresAt })
        .returning();
      await appendEvent(deps.db.db, { type: 'token.created', actor, data: { tokenId: r.id, name: r.name, scopes, expiresAt: expiresAt.toISOString() } });
      return { id: r.id, name: r.name, scopes, createdAt: r.createdAt.toISOString(), lastUsedAt: null, revokedAt: null, expiresAt: iso(expiresAt), token };
    },
  }),
  route({
    method: 'delete',
    path: '/api/tokens/:id',
    summary: 'Revoke an integration token',
    tag: 'admin',
    access: { kind: 'permission', permission: 'tokens:manage' },
    params: IdParams,
    status: 200,
    async handler({ deps, params, actor, now }) {
      const [r] = await deps.db.db
        .update(t.apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(t.apiTokens.id, params.id), sql`${t.apiTokens.revokedAt} is null`))
        .returning();
      if (!r) throw problems.notFound('This token (or it is already revoked)');
      await appendEvent(deps.db.db, { type: 'token.revoked', actor, data: { tokenId: r.id, name: r.name } });
      return { id: r.id, revokedAt: now.toISOString() };
    },
  }),
  route({
    method: 'post',
    path: '/api/users/:id/unlock',
    summary: 'Unlock a user locked out by failed sign-ins',
    tag: 'admin',
    access: { kind: 'permission', permission: 'users:manage' },
    params: IdParams,
    response: z.object({ id: z.string(), wasLocked: z.boolean() }),
    async handler({ deps, params, actor, now }) {
      const [u] = await deps.db.db.select().from(t.users).where(eq(t.users.id, params.id));
      if (!u) throw problems.notFound('This user');
      const wasLocked = await unlockAccount(deps.db.db, u.email, now);
      await appendEvent(deps.db.db, { type: 'auth.unlocked', actor, data: { userId: u.id, email: u.email, wasLocked } });
      return { id: u.id, wasLocked };
    },
  }),
  route({
    method: 'post',
    path: '/api/users/:id/mfa-reset',
    summary: 'Remove a user’s second factor (a lost phone); they set up a new one at next sign-in, and their sessions end',
    tag: 'admin',
    access: { kind: 'permission', permission: 'users:manage' },
    params: IdParams,
    response: z.object({ id: z.string() }),
    async handler({ deps, params, actor }) {
      return deps.db.db.transaction(async (tx) => {
        const [u] = await tx.update(t.users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, recoveryCodeHashes: [] }).where(eq(t.users.id, params.id)).returning();
        if (!u) throw problems.notFound('This user');
        await tx.delete(t.sessions).where(eq(t.sessions.userId, u.id));
        await appendEvent(tx, { type: 'auth.mfa_reset', actor, data: { userId: u.id, email: u.email } });
        return { id: u.id };
      });
    },
  }),
];
