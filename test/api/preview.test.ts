/** The preview a manager sees before switching an account to autonomous: what would go out by itself, and what would still wait. */
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '../support/db';
import { closeSuite, createAccount, createCallTask, createUser, login, openSuite, type Client, type TestApi } from './support';

describe('account preview', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  beforeAll(async () => {
    ({ db, api, as: { manager: manager } } = await openSuite(['manager']));
  });
  afterAll(() => closeSuite({ db, api }));

  /** Due 2026-02-26: four days late on the test clock (Monday 2026-03-02, 10:00 in New York). */
  async function lateAccount(over: Parameters<typeof createAccount>[1] = {}) {
    const a = await createAccount(db, over);
    const r = await manager.json('POST', '/api/invoices', { account: { accountId: a.id }, number: 'V-1', issueDate: '2026-01-27', dueDate: '2026-02-26', amountCents: 240_000 }, { 'idempotency-key': `k-${randomUUID()}` });
    expect(r.status).toBe(201);
    return a;
  }

  it('shows routine reminders going out by themselves and the final notice and call waiting for a person', async () => {
    const a = await lateAccount();
    const r = await manager.json('GET', `/api/accounts/${a.id}/preview?mode=autonomous&days=30`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ from: '2026-03-02T15:00:00.000Z', until: '2026-04-01T15:00:00.000Z' });
    const steps = r.body.items.map((i: { stepId: string; autonomous: boolean }) => [i.stepId, i.autonomous]);
    expect(steps.slice(0, 3)).toEqual([
      ['first_reminder', true],
      ['second_reminder', true],
      ['final_notice', false],
    ]);
    expect(r.body.items[0]).toMatchObject({ channel: 'email', amountCents: 240_000, reasons: [], at: '2026-03-02T15:00:00.000Z' });
    expect(r.body.items[2].reasons).toContain('This step is always decided by a person');
    const call = r.body.items.find((i: { stepId: string }) => i.stepId === 'call');
    expect(call).toMatchObject({ channel: 'call_task', autonomous: false, reasons: expect.arrayContaining(['A person must take this step']) });
    // The preview changes nothing.
    expect((await manager.json('GET', `/api/accounts/${a.id}`)).body.account.mode).toBe('copilot');
  });

  it('names why a key account would still wait, and says when nothing would be sent', async () => {
    const key = await lateAccount({ segment: 'key_account' });
    const r = await manager.json('GET', `/api/accounts/${key.id}/preview`);
    expect(r.body.items.length).toBeGreaterThan(0);
    for (const i of r.body.items) expect(i).toMatchObject({ autonomous: false, reasons: expect.arrayContaining(['Key account']) });

    const disputed = await lateAccount();
    expect((await manager.json('POST', `/api/accounts/${disputed.id}/disputes`, { reason: 'Invoice V-1 double-bills February' })).status).toBe(201);
    const d = await manager.json('GET', `/api/accounts/${disputed.id}/preview`);
    expect(d.body.items).toEqual([]);
    expect(d.body.notes).toEqual(expect.arrayContaining([expect.stringMatching(/dispute is open/)]));
  });

  it('is for the office roles; callers only through their own call list', async () => {
    const a = await lateAccount();
    const viewer = await login(api, await createUser(db, 'viewer'));
    expect((await viewer.json('GET', `/api/accounts/${a.id}/preview`)).status).toBe(200);
    const caller = await login(api, await createUser(db, 'caller'));
    await createCallTask(db, a.id, caller.user.id);
    expect((await caller.json('GET', `/api/accounts/${a.id}/preview`)).status).toBe(403);
    expect((await manager.json('GET', `/api/accounts/${a.id}/preview?days=400`)).status).toBe(400);
    expect((await manager.json('GET', `/api/accounts/${randomUUID()}/preview`)).status).toBe(404);
  });
});
