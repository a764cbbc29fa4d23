/** Sign-in, CSRF, session timeouts, logout, the login rate limit and integration tokens. */
import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createUser, eventsOfType, login, PASSWORD, startApi, type TestApi } from './support';

const post = (api: TestApi, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('auth', () => {
  let db: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db, { config: { session: { idleMs: 30 * 60_000, absoluteMs: 8 * 3_600_000, cookieName: 'tactful_session', secureCookie: false } } });
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });

  it('signs in with an httpOnly SameSite cookie, stores only a hash, and audits good and bad attempts', async () => {
    const u = await createUser(db, 'clerk');
    const bad = await post(api, '/api/auth/login', { email: u.email, password: 'wrong password' });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { type: string }).type).toBe('/problems/invalid-credentials');
    const unknown = await post(api, '/api/auth/login', { email: 'nobody@tactful.test', password: 'x' });
    expect(unknown.status).toBe(401);
    const ok = await post(api, '/api/auth/login', { email: u.email.toUpperCase(), password: PASSWORD });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.getSetCookie()[0];
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const raw = cookie.split(';')[0].split('=')[1];
    const sessions = await db.db.select().from(t.sessions).where(eq(t.sessions.userId, u.id));
    expect(sessions).toHaveLength(1);
    expect(sessions[0].idHash).not.toBe(raw);
    const failed = await eventsOfType(db, 'auth.login_failed');
    expect(failed.map((e) => e.data)).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'wrong password' }), expect.objectContaining({ reason: 'unknown e-mail' })]));
    expect((await eventsOfType(db, 'auth.login_succeeded')).some((e) => e.actorId === u.id)).toBe(true);
  });

  it('requires the CSRF token on every state-changing request made with the cookie', async () => {
    const c = await login(api, await createUser(db, 'manager'));
    const noToken = await c.json('POST', '/api/auth/logout', undefined, { 'x-csrf-token': '' });
    expect(noToken).toMatchObject({ status: 403, body: { type: '/problems/csrf' } });
    const wrong = await c.json('POST', '/api/auth/logout', undefined, { 'x-csrf-token': 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const me = await c.json('GET', '/api/me');
    expect(me.body.csrfToken).toBe(c.csrf);
    expect((await c.json('POST', '/api/auth/logout')).status).toBe(200);
    expect((await c.json('GET', '/api/me')).status).toBe(401);
  });

  it('ends a session after the idle timeout and after the absolute timeout', async () => {
    const c = await login(api, await createUser(db, 'viewer'));
    api.clock.advance(29 * 60_000);
    expect((await c.json('GET', '/api/me')).status).toBe(200);
    api.clock.advance(31 * 60_000);
    const idle = await c.json('GET', '/api/me');
    expect(idle).toMatchObject({ status: 401, body: { type: '/problems/session-expired' } });

    const d = await login(api, await createUser(db, 'viewer'));
    for (let i = 0; i < 8 * 3; i++) {
      api.clock.advance(20 * 60_000);
      const r = await d.json('GET', '/api/me');
      if (r.status !== 200) {
        expect(i).toBe(8 * 3 - 1);
        expect(r.body.type).toBe('/problems/session-expired');
        return;
      }
    }
    throw new Error('the absolute timeout never ended the session');
  });

  it('ends existing sessions when a user is demoted or deactivated; a deactivated user cannot sign in', async () => {
    const admin = await login(api, await createUser(db, 'admin'));
    const u = await createUser(db, 'manager');
    const c = await login(api, u);
    expect((await admin.json('PATCH', `/api/users/${u.id}`, { role: 'viewer' })).status).toBe(200);
    expect((await c.json('GET', '/api/me')).status).toBe(401);
    expect((await admin.json('PATCH', `/api/users/${u.id}`, { active: false })).status).toBe(200);
    expect((await post(api, '/api/auth/login', { email: u.email, password: PASSWORD })).status).toBe(401);
    // The last admin cannot demote themselves: nobody could manage users afterwards.
    expect((await admin.json('PATCH', `/api/users/${admin.user.id}`, { role: 'clerk' })).status).toBe(409);
  });

  it('integration tokens: hashed at rest, work as Bearer, stop working once revoked', async () => {
    const admin = await login(api, await createUser(db, 'admin'));
    const created = await admin.json('POST', '/api/tokens', { name: 'reporting', scopes: ['read'] });
    const token: string = created.body.token;
    const [row] = await db.db.select().from(t.apiTokens).where(eq(t.apiTokens.id, created.body.id));
    expect(row.tokenHash).not.toContain(token);
    const get = () => fetch(`${api.url}/api/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get()).status).toBe(200);
    expect((await admin.json('DELETE', `/api/tokens/${created.body.id}`)).status).toBe(200);
    expect((await get()).status).toBe(401);
  });

  it('locks an account after repeated failures with one audit row per lockout, not per refused attempt', async () => {
    const limited = await startApi(db, { config: { loginRateLimit: { windowMs: 60_000, limit: 3, ipLimit: 1000 } } });
    try {
      const u = await createUser(db, 'clerk');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await post(limited, '/api/auth/login', { email: u.email, password: 'guess' })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
      const lockouts = (await eventsOfType(db, 'auth.locked_out')).filter((e) => (e.data as { email: string }).email === u.email);
      expect(lockouts).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });

  it('answers malformed sign-in requests with 400, never 500', async () => {
    for (const body of [{}, { email: 'a' }, { email: 'a@b.c', password: 'x', extra: 1 }, { email: 'x'.repeat(10_000) + '@b.c', password: 'x' }, []])
      expect((await post(api, '/api/auth/login', body)).status).toBe(400);
    const notJson = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(notJson.status).toBe(400);
  });
});
