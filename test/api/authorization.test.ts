/**
 * The whole authorization matrix: every role (and every token scope) against every route, plus the
 * objects a person may not touch. Every refused cell must answer 403 and leave an audit event.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { roleCan, scopePermissions } from '../../api/auth/permissions';
import { apiRoutes } from '../../api/routes/index';
import type { RouteDef } from '../../api/routing';
import * as t from '../../db/schema';
import { roles, tokenScopes, type Role, type TokenScope } from '../../domain/api/auth';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createAccount, createCallTask, createDraft, createUser, login, startApi, type Client, type TestApi } from './support';

const refusals = async (db: TestDatabase) => {
  const [{ n }] = await db.db.select({ n: sql<number>`count(*)::int` }).from(t.events).where(eq(t.events.type, 'authz.refused'));
  return n;
};

function pathFor(r: RouteDef): string {
  return r.path.replace(/:(\w+)/g, () => randomUUID());
}

async function call(api: TestApi, r: RouteDef, headers: Record<string, string>): Promise<number> {
  const ctrl = new AbortController();
  const body = r.method === 'get' || r.method === 'delete' ? undefined : r.bodyType === 'csv' ? 'Customer,Amount\nx,1\n' : '{}';
  const res = await fetch(`${api.url}${pathFor(r)}`, {
    method: r.method.toUpperCase(),
    headers: { ...(body !== undefined ? { 'content-type': r.bodyType === 'csv' ? 'text/csv' : 'application/json' } : {}), 'idempotency-key': `key-${randomUUID()}`, ...headers },
    body,
    signal: ctrl.signal,
  });
  const status = res.status;
  ctrl.abort(); // the SSE stream would otherwise stay open
  await res.body?.cancel().catch(() => {});
  return status;
}

describe('authorization matrix', () => {
  let db: TestDatabase;
  let api: TestApi;
  const clients = {} as Record<Role, Client>;
  const tokens = {} as Record<TokenScope, string>;
  const guarded = apiRoutes.filter((r) => r.access.kind !== 'public');

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db);
    for (const role of roles) clients[role] = await login(api, await createUser(db, role));
    for (const scope of tokenScopes) {
      const r = await clients.admin.json('POST', '/api/tokens', { name: `int ${scope}`, scopes: [scope] });
      expect(r.status).toBe(201);
      tokens[scope] = r.body.token;
    }
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });

  it('covers every route in the table', () => {
    expect(guarded.length).toBeGreaterThan(30);
  });

  it('refuses anonymous requests on every non-public route with 401', async () => {
    for (const r of guarded) expect([r.method, r.path, await call(api, r, {})]).toEqual([r.method, r.path, 401]);
  });

  it('refuses anonymous readers of /metrics and the OpenAPI document', async () => {
    for (const path of ['/metrics', '/api/openapi.json']) expect([path, (await fetch(`${api.url}${path}`)).status]).toEqual([path, 401]);
  });

  it('with REQUIRE_MFA, an admin or manager without a second factor is refused every permission route (audited) until they enrol', async () => {
    const strict = await startApi(db, { config: { requireMfa: true } });
    try {
      for (const role of ['admin', 'manager'] as const) {
        const c = await login(strict, await createUser(db, role));
        for (const r of guarded.filter((x) => x.access.kind === 'permission' && roleCan(role, x.access.permission))) {
          const before = await refusals(db);
          const status = await call(strict, r, { cookie: c.cookie, 'x-csrf-token': c.csrf });
          const cellName = `${role} ${r.method.toUpperCase()} ${r.path}`;
          expect([cellName, status]).toEqual([cellName, 403]);
          expect([cellName, (await refusals(db)) - before]).toEqual([cellName, 1]);
        }
        expect((await c.json('GET', '/api/me')).status).toBe(200);
      }
    } finally {
      await strict.close();
    }
  });

  it.each(roles)('role %s: allowed cells pass authorization, refused cells answer 403 and are audited', async (role) => {
    const c = clients[role];
    for (const r of guarded) {
      const allowed = r.access.kind === 'session' || (r.access.kind === 'permission' && roleCan(role, r.access.permission));
      const before = await refusals(db);
      const status = await call(api, r, { cookie: clients[role].cookie, 'x-csrf-token': clients[role].csrf });
      const cellName = `${role} ${r.method.toUpperCase()} ${r.path}`;
      if (r.path.startsWith('/api/auth/logout')) clients[role] = await login(api, c.user);
      if (allowed) {
        expect([cellName, [401, 403].includes(status) ? status : 'passed']).toEqual([cellName, 'passed']);
        expect(status).toBeLessThan(500);
      } else {
        expect([cellName, status]).toEqual([cellName, 403]);
        expect([cellName, (await refusals(db)) - before]).toEqual([cellName, 1]);
      }
    }
  });

  it.each(tokenScopes)('token scope %s: only its permissions, never session-only endpoints', async (scope) => {
    for (const r of guarded) {
      const allowed = r.access.kind === 'permission' && scopePermissions[scope].includes(r.access.permission);
      const before = await refusals(db);
      const status = await call(api, r, { authorization: `Bearer ${tokens[scope]}` });
      const cellName = `${scope} ${r.method.toUpperCase()} ${r.path}`;
      if (allowed) expect([cellName, [401, 403].includes(status) ? status : 'passed']).toEqual([cellName, 'passed']);
      else {
        expect([cellName, status]).toEqual([cellName, 403]);
        expect([cellName, (await refusals(db)) - before]).toEqual([cellName, 1]);
      }
    }
  });

  describe('objects', () => {
    let callerA: Client;
    let callerB: Client;
    let mine: string;
    let theirs: string;
    let unassigned: string;
    let theirsTask: string;
    let mineTask: string;

    beforeAll(async () => {
      callerA = await login(api, await createUser(db, 'caller'));
      callerB = await login(api, await createUser(db, 'caller'));
      const accMine = await createAccount(db);
      const accTheirs = await createAccount(db);
      const accFree = await createAccount(db);
      mine = accMine.id;
      theirs = accTheirs.id;
      unassigned = accFree.id;
      mineTask = (await createCallTask(db, mine, callerA.user.id)).id;
      theirsTask = (await createCallTask(db, theirs, callerB.user.id)).id;
      await createCallTask(db, unassigned, null);
    });

    // Takes a thunk: the count before must be read before the request is sent, or the row may already be there.
    const refusedAndAudited = async (p: () => Promise<{ status: number }>, accountId?: string) => {
      const before = await refusals(db);
      const r = await p();
      expect(r.status).toBe(403);
      expect((await refusals(db)) - before).toBe(1);
      if (accountId) {
        const [last] = await db.db.select().from(t.events).where(eq(t.events.type, 'authz.refused')).orderBy(sql`id desc`).limit(1);
        expect(last.accountId).toBe(accountId);
      }
    };

    it("a caller cannot read or act on another caller's call or account", async () => {
      await refusedAndAudited(() => callerA.json('GET', `/api/calls/${theirsTask}`), theirs);
      await refusedAndAudited(() => callerA.json('POST', `/api/calls/${theirsTask}/outcome`, { outcome: 'no_answer' }), theirs);
      await refusedAndAudited(() => callerA.json('GET', `/api/accounts/${theirs}`), theirs);
      await refusedAndAudited(() => callerA.json('GET', `/api/accounts/${theirs}/timeline`), theirs);
      await refusedAndAudited(() => callerA.json('POST', `/api/accounts/${theirs}/promises`, { promisedDate: '2026-03-20' }), theirs);
      await refusedAndAudited(() => callerA.json('POST', `/api/accounts/${theirs}/notes`, { text: 'hello' }), theirs);
    });

    it('a caller works their own and unassigned calls, and sees only those accounts', async () => {
      expect((await callerA.json('GET', `/api/calls/${mineTask}`)).status).toBe(200);
      expect((await callerA.json('GET', `/api/accounts/${mine}`)).status).toBe(200);
      expect((await callerA.json('GET', `/api/accounts/${unassigned}`)).status).toBe(200);
      const list = await callerA.json('GET', '/api/accounts');
      const ids = list.body.items.map((a: { id: string }) => a.id);
      expect(ids).toEqual(expect.arrayContaining([mine, unassigned]));
      expect(ids).not.toContain(theirs);
      const calls = await callerA.json('GET', '/api/calls');
      expect(calls.body.items.map((c: { accountId: string }) => c.accountId)).not.toContain(theirs);
      expect((await callerA.json('POST', `/api/calls/${mineTask}/outcome`, { outcome: 'no_answer' })).status).toBe(200);
      expect(callerB).toBeDefined();
    });

    it('a caller still sees an account for a week after logging a call on it, and another caller does not', async () => {
      const acc = await createAccount(db);
      const task = await createCallTask(db, acc.id, callerA.user.id);
      await db.sql`update call_tasks set status = 'done', outcome = 'promise', completed_by = ${callerA.user.id}, completed_at = now() where id = ${task.id}`;
      expect((await callerA.json('GET', `/api/accounts/${acc.id}`)).status).toBe(200);
      await refusedAndAudited(() => callerB.json('GET', `/api/accounts/${acc.id}`), acc.id);
      await db.sql`update call_tasks set completed_at = now() - interval '8 days' where id = ${task.id}`;
      await refusedAndAudited(() => callerA.json('GET', `/api/accounts/${acc.id}`), acc.id);
    });

    it('a clerk cannot decide a service-pause letter; a manager can', async () => {
      const acc = await createAccount(db);
      const letter = await createDraft(db, acc.id, { stepId: 'service_pause', channel: 'letter' });
      await refusedAndAudited(() => clients.clerk.json('POST', `/api/queue/${letter.id}/decision`, { decision: 'approve' }), acc.id);
      const bulk = await clients.clerk.json('POST', '/api/queue/bulk-approve', { messageIds: [letter.id] });
      expect(bulk.body.results[0]).toMatchObject({ ok: false, problem: '/problems/forbidden' });
      expect((await clients.manager.json('POST', `/api/queue/${letter.id}/decision`, { decision: 'approve' })).status).toBe(200);
    });

    it('a token with one scope cannot use another', async () => {
      const acc = await createAccount(db);
      const before = await refusals(db);
      const res = await fetch(`${api.url}/api/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens['invoices:write']}`, 'content-type': 'application/json', 'idempotency-key': 'k-123456789' },
        body: JSON.stringify({ account: { accountId: acc.id }, amountCents: 100, receivedAt: '2026-03-01T00:00:00Z', method: 'ach' }),
      });
      expect(res.status).toBe(403);
      expect((await refusals(db)) - before).toBe(1);
    });
  });
});
