/**
 * Sign-in, sign-out, "who am I", and what a person does for their own account: change the password,
 * sign out everywhere, set up a second factor. Every attempt, good or bad, is in the paper trail,
 * except the refusals of a locked account (one row per lockout: api/auth/throttle.ts).
 */
import * as argon2 from '@node-rs/argon2';
import { and, eq, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendEvent } from '../../db/events';
import * as t from '../../db/schema';
import { ChangePasswordRequest, LoginRequest, Me, RecoveryCodes, TotpConfirmRequest, TotpDisableRequest, TotpEnrolment } from '../../domain/api/auth';
import { problemTypes } from '../../domain/api/problems';
import { mfaRequiredFor, newRecoveryCodes, newTotpSecret, spendSecondFactor, totpStep } from '../auth/mfa';
import { noiseFor } from '../auth/noise';
import { passwordProblem } from '../auth/passwords';
import { createSession, sessionCookie, type Principal } from '../auth/principal';
import { permissionsOf } from '../auth/permissions';
import { accountKey, ipKey, lockedUntil, recordFailure, recordSuccess } from '../auth/throttle';
import type { AppDeps } from '../deps';
import { HttpProblem, problems } from '../problems';
import { route } from '../routing';

// Verified against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
let dummyHash: Promise<string> | null = null;
const dummy = () => (dummyHash ??= argon2.hash('not-a-real-password-but-same-cost'));

const Ok = z.object({ ok: z.literal(true) });

function meOf(deps: AppDeps, u: Pick<t.User, 'id' | 'email' | 'name' | 'role'>, session: { csrfToken: string; expiresAt: Date }, mfa: { enabled: boolean; recoveryCodesLeft: number }) {
  return {
    user: { id: u.id, email: u.email, name: u.name, role: u.role, active: true },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
    permissions: permissionsOf(u.role),
    mfa: { ...mfa, required: mfaRequiredFor(deps.config, u.role) },
  };
}

const signedIn = (p: Principal) => {
  if (p.kind !== 'user') throw new Error('unreachable: session access');
  return p;
};

async function loadUser(deps: AppDeps, id: string): Promise<t.User> {
  const [u] = await deps.db.db.select().from(t.users).where(eq(t.users.id, id));
  if (!u) throw problems.notFound('This user');
  return u;
}

const verifyPassword = (hash: string, password: string) => argon2.verify(hash, password).catch(() => false);

export const authRoutes = [
  route({
    method: 'post',
    path: '/api/auth/login',
    summary: 'Sign in with e-mail, password and (when set up) a second-factor code; sets the session cookie and returns the CSRF token',
    tag: 'auth',
    access: { kind: 'public' },
    body: LoginRequest,
    bodyLimit: 16 * 1024,
    response: Me,
    async handler({ deps, body, req, res, now }) {
      const db = deps.db.db;
      const limits = deps.config.loginRateLimit;
      const keys = [
        { key: accountKey(body.email), limit: limits.limit },
        { key: ipKey(req.ip), limit: limits.ipLimit ?? limits.limit * 10 },
      ];
      const until = await lockedUntil(db, keys.map((k) => k.key), now);
      if (until)
        throw new HttpProblem(429, problemTypes.rateLimited, 'Too many sign-in attempts', `Sign-in is locked after repeated failures; try again after ${until.toISOString()} or ask an admin to unlock the account.`, undefined, {
          'Retry-After': String(Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))),
        });
      const [user] = await db.select().from(t.users).where(eq(sql`lower(${t.users.email})`, body.email));
      const ok = user ? await verifyPassword(user.passwordHash, body.password) : (await verifyPassword(await dummy(), body.password), false);
      const meta = { email: body.email, ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 200) ?? null };
      const fail = async (reason: string) => {
        await recordFailure(db, deps.config, keys, now, { email: body.email, ip: req.ip ?? null });
        // Guesses at addresses that are nobody's are anonymous noise: a few per address per minute are kept.
        const admitted = user ? 'record' : noiseFor(deps.config).audit.admit(`login:${req.ip ?? '?'}`, now.getTime());
        if (admitted === 'first_suppressed')
          await appendEvent(db, { type: 'audit.suppressed', actor: { type: 'client', name: 'anonymous' }, data: { kind: 'auth.login_failed', ip: req.ip ?? null, reason: 'too many sign-ins with unknown e-mails from this address; more are not recorded for a minute' } });
        if (admitted === 'record')
          await appendEvent(db, {
          type: 'auth.login_failed',
          actor: user ? { type: 'user', id: user.id, name: user.name } : { type: 'client', name: body.email },
          data: { ...meta, reason },
        });
        throw new HttpProblem(401, problemTypes.invalidCredentials, 'Sign-in failed', 'The e-mail, password or code is not right.');
      };
      if (!user || !ok || !user.active) return fail(!user ? 'unknown e-mail' : !ok ? 'wrong password' : 'user deactivated');
      let secondFactor: 'totp' | 'recovery' | null = null;
      if (user.totpEnabledAt) {
        if (!body.otp) throw new HttpProblem(401, problemTypes.mfaRequired, 'Code required', 'Enter the six-digit code from your authenticator app, or a recovery code.');
        secondFactor = await spendSecondFactor(db, user, body.otp, now);
        if (!secondFactor) return fail('wrong second-factor code');
      }
      await recordSuccess(db, body.email);
      const s = await createSession(db, user.id, deps.config, now, { ip: req.ip, userAgent: req.get('user-agent') });
      await appendEvent(db, { type: 'auth.login_succeeded', actor: { type: 'user', id: user.id, name: user.name }, data: { ...meta, secondFactor } });
      res.setHeader('Set-Cookie', sessionCookie(deps.config, s.cookieValue, deps.config.session.absoluteMs));
      const codesLeft = user.recoveryCodeHashes.length - (secondFactor === 'recovery' ? 1 : 0);
      return meOf(deps, user, s, { enabled: Boolean(user.totpEnabledAt), recoveryCodesLeft: codesLeft });
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/logout',
    summary: 'Sign out: ends the session on the server and clears the cookie',
    tag: 'auth',
    access: { kind: 'session' },
    response: Ok,
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
    method: 'post',
    path: '/api/auth/logout-everywhere',
    summary: 'Sign out on every device: ends all of this person’s sessions, this one included',
    tag: 'auth',
    access: { kind: 'session' },
    response: z.object({ ok: z.literal(true), sessionsEnded: z.number().int() }),
    async handler({ deps, principal, res, actor }) {
      const me = signedIn(principal);
      const ended = await deps.db.db.delete(t.sessions).where(eq(t.sessions.userId, me.id)).returning({ id: t.sessions.idHash });
      await appendEvent(deps.db.db, { type: 'auth.logout_everywhere', actor, data: { sessionsEnded: ended.length } });
      res.setHeader('Set-Cookie', sessionCookie(deps.config, '', 0));
      return { ok: true as const, sessionsEnded: ended.length };
    },
  }),
  route({
    method: 'get',
    path: '/api/me',
    summary: 'The signed-in user, their permissions, their second factor and the CSRF token for writes',
    tag: 'auth',
    access: { kind: 'session' },
    response: Me,
    async handler({ deps, principal }) {
      const me = signedIn(principal);
      return meOf(deps, me, me.session, me.mfa);
    },
  }),
  route({
    method: 'post',
    path: '/api/me/password',
    summary: 'Change your own password (the current one is needed); signs out your other sessions',
    tag: 'auth',
    access: { kind: 'session' },
    body: ChangePasswordRequest,
    bodyLimit: 4 * 1024,
    response: z.object({ ok: z.literal(true), otherSessionsEnded: z.number().int() }),
    async handler({ deps, principal, body, actor, now, req }) {
      const me = signedIn(principal);
      const db = deps.db.db;
      const user = await loadUser(deps, me.id);
      if (!(await verifyPassword(user.passwordHash, body.currentPassword))) {
        // A borrowed session must not become a way to guess the password.
        await recordFailure(db, deps.config, [{ key: accountKey(user.email), limit: deps.config.loginRateLimit.limit }], now, { email: user.email, ip: req.ip ?? null });
        await appendEvent(db, { type: 'auth.password_change_failed', actor, data: { reason: 'wrong current password', ip: req.ip ?? null } });
        throw new HttpProblem(403, problemTypes.invalidCredentials, 'Password not changed', 'The current password is not right.');
      }
      const problem = passwordProblem(body.newPassword, [user.email, user.name]);
      if (problem) throw problems.validation(`body.newPassword: ${problem}`, [{ path: ['body', 'newPassword'], message: problem }]);
      const passwordHash = await argon2.hash(body.newPassword);
      const ended = await db.transaction(async (tx) => {
        await tx.update(t.users).set({ passwordHash }).where(eq(t.users.id, me.id));
        const gone = await tx.delete(t.sessions).where(and(eq(t.sessions.userId, me.id), ne(t.sessions.idHash, me.session.idHash))).returning({ id: t.sessions.idHash });
        await appendEvent(tx, { type: 'auth.password_changed', actor, data: { otherSessionsEnded: gone.length } });
        return gone.length;
      });
      return { ok: true as const, otherSessionsEnded: ended };
    },
  }),
  route({
    method: 'post',
    path: '/api/me/totp',
    summary: 'Start setting up an authenticator app: answers its secret; in force once a code is confirmed',
    tag: 'auth',
    access: { kind: 'session' },
    response: TotpEnrolment,
    async handler({ deps, principal, actor }) {
      const me = signedIn(principal);
      if (me.mfa.enabled) throw problems.conflict('A second factor is already set up; turn it off first to set up another.');
      const enrolment = newTotpSecret(me.email);
      await deps.db.db.update(t.users).set({ totpSecret: enrolment.secret, totpEnabledAt: null, totpLastStep: null }).where(eq(t.users.id, me.id));
      await appendEvent(deps.db.db, { type: 'auth.mfa_enrolment_started', actor });
      return enrolment;
    },
  }),
  route({
    method: 'post',
    path: '/api/me/totp/confirm',
    summary: 'Confirm the authenticator app with a code from it; answers ten single-use recovery codes (shown once)',
    tag: 'auth',
    access: { kind: 'session' },
    body: TotpConfirmRequest,
    bodyLimit: 1024,
    response: RecoveryCodes,
    async handler({ deps, principal, body, actor, now }) {
      const me = signedIn(principal);
      const user = await loadUser(deps, me.id);
      if (user.totpEnabledAt) throw problems.conflict('The second factor is already set up.');
      if (!user.totpSecret) throw problems.conflict('Start with POST /api/me/totp.');
      const step = totpStep(user.totpSecret, body.code, now);
      if (step === null) throw problems.validation('body.code: that code is not right; check the app’s clock and try the next code', [{ path: ['body', 'code'], message: 'that code is not right' }]);
      const { codes, hashes } = newRecoveryCodes();
      const [done] = await deps.db.db
        .update(t.users)
        .set({ totpEnabledAt: now, totpLastStep: step, recoveryCodeHashes: hashes })
        .where(and(eq(t.users.id, me.id), sql`${t.users.totpEnabledAt} is null`, eq(t.users.totpSecret, user.totpSecret)))
        .returning({ id: t.users.id });
      if (!done) throw problems.conflict('The set-up changed meanwhile; start again.');
      await appendEvent(deps.db.db, { type: 'auth.mfa_enabled', actor });
      return { recoveryCodes: codes };
    },
  }),
  route({
    method: 'post',
    path: '/api/me/recovery-codes',
    summary: 'Replace your recovery codes with ten new ones (the old ones stop working)',
    tag: 'auth',
    access: { kind: 'session' },
    response: RecoveryCodes,
    async handler({ deps, principal, actor }) {
      const me = signedIn(principal);
      if (!me.mfa.enabled) throw problems.conflict('Set up an authenticator app first.');
      const { codes, hashes } = newRecoveryCodes();
      await deps.db.db.update(t.users).set({ recoveryCodeHashes: hashes }).where(eq(t.users.id, me.id));
      await appendEvent(deps.db.db, { type: 'auth.recovery_codes_replaced', actor });
      return { recoveryCodes: codes };
    },
  }),
  route({
    method: 'delete',
    path: '/api/me/totp',
    summary: 'Turn your second factor off (needs your password; not allowed where it is required)',
    tag: 'auth',
    access: { kind: 'session' },
    body: TotpDisableRequest,
    bodyLimit: 4 * 1024,
    response: Ok,
    async handler({ deps, principal, body, actor }) {
      const me = signedIn(principal);
      if (mfaRequiredFor(deps.config, me.role)) throw problems.conflict('Admins and managers must keep a second factor; an admin can reset it if the device is lost.');
      const user = await loadUser(deps, me.id);
      if (!(await verifyPassword(user.passwordHash, body.currentPassword))) throw new HttpProblem(403, problemTypes.invalidCredentials, 'Not changed', 'The current password is not right.');
      await deps.db.db.update(t.users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, recoveryCodeHashes: [] }).where(eq(t.users.id, me.id));
      await appendEvent(deps.db.db, { type: 'auth.mfa_disabled', actor });
      return { ok: true as const };
    },
  }),
];
