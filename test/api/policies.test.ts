/** Versioned escalation policies and installation settings: who may change them, conflicts, the paper trail, re-planning. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import { defaultPolicy } from '../../domain/policy/default-policy';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { type Client, closeSuite, createAccount, createUser, eventsOfType, login, openSuite, startApi, type TestApi } from './support';

describe('policies', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  let clerk: Client;
  beforeAll(async () => {
    ({ db, api, as: { manager, clerk } } = await openSuite(['manager', 'clerk']));
  });
  afterAll(() => closeSuite({ db, api }));

  const addInvoice = (accountId: string, number: string) =>
    manager.json('POST', '/api/invoices', { account: { accountId }, number, issueDate: '2026-01-01', dueDate: '2026-01-31', amountCents: 50_000 }, { 'idempotency-key': `k-${randomUUID()}` });
  const factsVersion = async (id: string) => (await db.db.select({ v: t.accounts.factsVersion }).from(t.accounts).where(eq(t.accounts.id, id)))[0].v;

  it('shows the built-in policies as version 0 until one is saved; clerks read, only managers save', async () => {
    const list = await clerk.json('GET', '/api/policies');
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { name: string; version: number }) => [p.name, p.version])).toEqual(
      expect.arrayContaining([['Default escalation', 0], ['Key accounts', 0]]),
    );
    expect((await clerk.json('POST', '/api/policies', { basedOnVersion: null, definition: defaultPolicy })).status).toBe(403);
  });

  it('saves version + 1, records what changed, and tells accounts with open invoices to re-plan', async () => {
    const owing = await createAccount(db);
    const settled = await createAccount(db);
    expect((await addInvoice(owing.id, 'P-1')).status).toBe(201);
    const before = { owing: await factsVersion(owing.id), settled: await factsVersion(settled.id) };
    api.gateway.signals = [];

    const edited = { ...defaultPolicy, rules: { ...defaultPolicy.rules, coolDownDays: 5 }, steps: defaultPolicy.steps.filter((s) => s.id !== 'prevention') };
    const saved = await manager.json('POST', '/api/policies', { basedOnVersion: null, definition: edited });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'Default escalation', version: 1, createdBy: manager.user.name, workflow: { accounts: 1, signaled: 1 } });
    expect(saved.body.definition.rules.coolDownDays).toBe(5);

    // The other built-ins stay in force as stored versions.
    const list = await manager.json('GET', '/api/policies');
    expect(list.body.items.map((p: { name: string; version: number }) => [p.name, p.version])).toEqual([
      ['Default escalation', 1],
      ['Key accounts', 1],
      ['New clients', 1],
      ['Sensitive accounts', 1],
    ]);

    const [event] = await eventsOfType(db, 'policy.changed');
    expect(event).toMatchObject({ actorId: manager.user.id, data: { name: 'Default escalation', version: 1, basedOnVersion: null, accountsReplanned: 1 } });
    expect((event.data as { changes: string[] }).changes).toEqual(expect.arrayContaining(['step prevention removed', 'rule coolDownDays: 3 → 5']));

    expect(await factsVersion(owing.id)).toBe(before.owing + 1);
    expect(await factsVersion(settled.id)).toBe(before.settled);
    expect(api.gateway.signals).toEqual([{ accountId: owing.id, signal: expect.objectContaining({ change: 'policy_changed', factsVersion: before.owing + 1, actor: expect.objectContaining({ id: manager.user.id }) }) }]);
  });

  it('answers 409 when the edit is not based on the newest version, and refuses an invalid definition', async () => {
    const stale = await manager.json('POST', '/api/policies', { basedOnVersion: 0, definition: defaultPolicy });
    expect(stale).toMatchObject({ status: 409, body: { type: '/problems/conflict', detail: expect.stringMatching(/version 1/) } });
    const broken = { ...defaultPolicy, steps: [...defaultPolicy.steps].reverse() };
    const invalid = await manager.json('POST', '/api/policies', { basedOnVersion: 1, definition: broken });
    expect(invalid).toMatchObject({ status: 400, body: { type: '/problems/validation' } });
    expect((await manager.json('GET', `/api/policies/${encodeURIComponent('Default escalation')}/versions`)).body.items.map((p: { version: number }) => p.version)).toEqual([1]);
  });

  it('stores the change even when Temporal is down; the facts version tells the reconciler', async () => {
    const owing = await createAccount(db);
    await addInvoice(owing.id, 'P-2');
    const v = await factsVersion(owing.id);
    api.gateway.down = true;
    try {
      const saved = await manager.json('POST', '/api/policies', { basedOnVersion: 1, definition: { ...defaultPolicy, rules: { ...defaultPolicy.rules, coolDownDays: 4 } } });
      expect(saved.status).toBe(201);
      expect(saved.body).toMatchObject({ version: 2, workflow: { signaled: 0, message: expect.stringMatching(/catch up/) } });
      expect(saved.body.workflow.accounts).toBeGreaterThanOrEqual(2);
    } finally {
      api.gateway.down = false;
    }
    expect(await factsVersion(owing.id)).toBe(v + 1);
    const versions = await manager.json('GET', `/api/policies/${encodeURIComponent('Default escalation')}/versions`);
    expect(versions.body.items.map((p: { version: number }) => p.version)).toEqual([2, 1]);
    expect((await manager.json('GET', '/api/policies/Nope/versions')).status).toBe(404);
  });
});

describe('settings', () => {
  let db: TestDatabase;
  let api: TestApi;
  let admin: Client;
  let manager: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApi(db);
    admin = await login(api, await createUser(db, 'admin'));
    manager = await login(api, await createUser(db, 'manager'));
  });
  afterAll(async () => {
    await api.close();
    await db.destroy();
  });

  it('managers read the settings (defaults for keys never saved); only admins change them', async () => {
    const r = await manager.json('GET', '/api/settings');
    expect(r).toMatchObject({ status: 200, body: { collections_floor_cents: 75_000, holidays: [], business_hours: { start: '09:00' } } });
    expect((await manager.json('PUT', '/api/settings/collections_floor_cents', { value: 90_000 })).status).toBe(403);
    const clerk = await login(api, await createUser(db, 'clerk'));
    expect((await clerk.json('GET', '/api/settings')).status).toBe(403);
  });

  it("checks each value with its key's schema and records before and after", async () => {
    const tooHigh = await admin.json('PUT', '/api/settings/collections_floor_cents', { value: 120_000 });
    expect(tooHigh).toMatchObject({ status: 400, body: { type: '/problems/validation', detail: expect.stringMatching(/at most \$1,000/) } });
    expect((await admin.json('PUT', '/api/settings/no_such_key', { value: 1 })).status).toBe(400);
    expect((await admin.json('PUT', '/api/settings/pay_link_template', { value: 'https://pay.example.com/' })).status).toBe(400);

    const ok = await admin.json('PUT', '/api/settings/collections_floor_cents', { value: 90_000 });
    expect(ok).toMatchObject({ status: 200, body: { key: 'collections_floor_cents', value: 90_000, changed: true } });
    const holidays = [{ date: '2026-12-25', name: 'Christmas Day' }];
    expect((await admin.json('PUT', '/api/settings/holidays', { value: holidays })).status).toBe(200);
    expect((await admin.json('PUT', '/api/settings/holidays', { value: holidays })).body.changed).toBe(false);

    expect((await manager.json('GET', '/api/settings')).body).toMatchObject({ collections_floor_cents: 90_000, holidays });
    const events = await eventsOfType(db, 'settings.changed');
    expect(events.map((e) => e.data)).toEqual([
      { key: 'collections_floor_cents', before: 75_000, after: 90_000 },
      { key: 'holidays', before: [], after: holidays },
    ]);
    expect(events[0]).toMatchObject({ actorType: 'user', actorId: admin.user.id });
  });

  it('the agreement has no late fees until an admin enters its clause; public holidays are observed unless turned off', async () => {
    expect((await manager.json('GET', '/api/settings')).body).toMatchObject({ late_fees: { kind: 'none' }, observe_public_holidays: true });
    expect((await admin.json('PUT', '/api/settings/late_fees', { value: { kind: 'clause' } })).status).toBe(400);
    expect((await admin.json('PUT', '/api/settings/late_fees', { value: { kind: 'yes', text: 'whatever we like' } })).status).toBe(400);
    const clause = { kind: 'clause', text: 'a late fee of 1.5% a month on balances more than 30 days overdue' };
    expect((await admin.json('PUT', '/api/settings/late_fees', { value: clause })).status).toBe(200);
    expect((await admin.json('PUT', '/api/settings/observe_public_holidays', { value: false })).status).toBe(200);
    expect((await manager.json('GET', '/api/settings')).body).toMatchObject({ late_fees: clause, observe_public_holidays: false });
  });
});
