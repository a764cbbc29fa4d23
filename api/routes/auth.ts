/** Sign-in, sign-out and "who am I". Every attempt, good or bad, is in the paper trail. */
import * as argon2 from '@node-rs/argon2';
import { eq, sql } from 'drizzle-orm';
import { appendEvent } from '../../db/events';
import * as t from '../../db/schema';
import { LoginRequest, Me } from '../../domain/api/auth';
import { problemTypes } from '../../domain/api/problems';
import { createSession, sessionCookie } from '../auth/principal';
import { permissionsOf } from '../auth/permissions';
import { HttpProblem } from '../problems';
import { route } from '../routing';
import { z } from 'zod';

// Verified against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
let dummyHash: Promise<string> | null = null;
const dummy = () => (dummyHash ??= argon2.hash('not-a-real-password-but-same-cost'));

export const authRoutes = [
  route({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Sign in with e-mail and password; sets the session cookie and returns the CSRF token',
    tag: 'auth',
    access: { kind: 'public' },
    body: LoginRequest,
    response: Me,
    async handler({ deps, body, req, res, now }) {
      const db = deps.db.db;
      const [user] = await db.select().from(t.users).where(eq(sql`lower(${t.users.email})`, body.email));
      const ok = user ? await argon2.verify(user.passwordHash, body.password).catch(() => false) : (await argon2.verify(await dummy(), body.password).catch(() => false), false);
      const meta = { email: body.email, ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 200) ?? null };
      if (!user || !ok || !user.active) {
        await appendEvent(db, {
          type: 'auth.login_failed',
          actor: user ? { type: 'user', id: user.id, name: user.name } : { type: 'client', name: body.email },
          data: { ...meta, reason: !user ? 'unknown e-mail' : !ok ? 'wrong password' : 'user deactivated' },
        });
        throw new HttpProblem(401, problemTypes.invalidCredentials, 'Sign-in failed', 'The e-mail or password is not right.');
      }
      const s = await createSession(db, user.id, deps.config, now, { ip: req.ip, userAgent: req.get('user-agent') });
      await appendEvent(db, { type: 'auth.login_succeeded', actor: { type: 'user', id: user.id, name: user.name }, data: meta });
      res.setHeader('Set-Cookie', sessionCookie(deps.config, s.cookieValue, deps.config.session.absoluteMs));
      return {
        user: { id: user.id, email: user.email, name: user.name, role: user.role, active: user.active },
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt.toISOString(),
        permissions: permissionsOf(user.role),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/logout',
    summary: 'Sign out: ends the session on the server and clears the cookie',
    tag: 'auth',
    access: { kind: 'session' },
    response: z.object({ ok: z.literal(true) }),
    async handler({ deps, principal, res, actor }) {
      if (principal.kind === 'user') {
        await deps.db.db.delete(t.sessions).where(eq(t.sessions.idHash, principal.session.idHash));
        await appendEvent(deps.db.db, { type: 'auth.logout', actor });
      }
      res.setHeader('Set-Cookie', sessionCookie(deps.config, '', 0));
      return { ok: true as const };
    },
  }),
  route({
    method: 'get',
    path: '/api/me',
    summary: 'The signed-in user, their permissions and the CSRF token for writes',
    tag: 'auth',
    access: { kind: 'session' },
    response: Me,
    async handler({ principal }) {
      if (principal.kind !== 'user') throw new Error('unreachable: session access');
      return {
        user: { id: principal.id, email: principal.email, name: principal.name, role: principal.role, active: true },
        csrfToken: principal.session.csrfToken,
        expiresAt: principal.session.expiresAt.toISOString(),
        permissions: permissionsOf(principal.role),
      };
    },
  }),
];
