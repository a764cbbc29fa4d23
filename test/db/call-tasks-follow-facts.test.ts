/** A call task is only as good as its facts: a settled account closes it, a new fact rebuilds its sheet. */
import { createPlanningActivities } from '../../activities/account/planning';
import * as ledger from '../../db/ledger';
import type { CallSheet } from '../../domain/drafting/call-sheet';
import type { PlannedStep } from '../../domain/policy/types';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { bumpFacts, insertAccount, insertInvoice } from '../support/fixtures';

describe('call tasks follow the facts', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.destroy();
  });

  const now = '2026-12-04T15:00:00.000Z';
  const step = (invoiceIds: string[], balanceCents: number): PlannedStep => ({
    stepId: 'call', kind: 'call', channel: 'call_task', tone: 'neutral', cycleKey: 'c', invoiceIds, balanceCents, daysPastDue: 34, sensitiveReasons: ['human_only'],
  });
  const sheets = async (taskId: string) =>
    (await t.sql`select version, sheet from call_sheets where call_task_id = ${taskId} order by version`).map((r) => ({ version: r.version as number, sheet: r.sheet as CallSheet }));

  it('rebuilds the sheet when a contact is added, and closes the task with the reason when a payment settles the account', async () => {
    const planning = createPlanningActivities({ db: t.db });
    const accountId = await insertAccount(t, { name: 'Okafor & Lee' });
    await t.sql`delete from contacts where account_id = ${accountId}`;
    const inv = await insertInvoice(t, accountId, { number: '3107', issueDate: '2026-10-01', dueDate: '2026-10-31', amountCents: 112_550 });
    const { callTaskId } = await planning.createCallTask({ accountId, step: step([inv], 112_550), at: now, now });

    const [first] = await sheets(callTaskId);
    expect(first.sheet.contact).toBeNull();
    expect(first.sheet.opening).toMatch(/^Hi there, this is Accounts Receivable from Your MSP\./);
    expect(first.sheet.opening).not.toMatch(/\[your name\]|\[company\]/);
    expect(first.sheet.opening).toMatch(/\$1,125\.50 overdue/);

    // Planning again with nothing new changes nothing.
    await planning.planNextAction({ accountId, now });
    expect(await sheets(callTaskId)).toHaveLength(1);

    await t.sql`insert into contacts (account_id, name, email, phone, is_primary) values (${accountId}, 'Ada Okafor', 'ada@okafor-lee.test', '+1 555 0199', true)`;
    await bumpFacts(t, accountId);
    await planning.planNextAction({ accountId, now });
    const rebuilt = await sheets(callTaskId);
    expect(rebuilt.map((s) => s.version)).toEqual([1, 2]);
    expect(rebuilt[1].sheet.contact?.name).toBe('Ada Okafor');
    expect(rebuilt[1].sheet.opening).toMatch(/^Hi Ada, this is Accounts Receivable from Your MSP\./);

    await ledger.recordPayment(t.db, { accountId, amountCents: 112_550, receivedAt: new Date('2026-12-04T14:00:00Z'), method: 'ach', invoiceNumber: '3107' }, { type: 'integration', name: 'bank feed' });
    await planning.planNextAction({ accountId, now });
    const [task] = await t.sql`select status, outcome, outcome_notes from call_tasks where id = ${callTaskId}`;
    expect(task).toMatchObject({ status: 'cancelled', outcome: 'paid' });
    expect(task.outcome_notes).toMatch(/payment received on 2026-12-04 settled the account/);
    const [event] = await t.sql`select data from events where account_id = ${accountId} and type = 'call.closed'`;
    expect(event.data).toMatchObject({ callTaskId, reason: expect.stringMatching(/settled/) });
    // A closed task's sheet is not rebuilt into "calling about $1,125.50".
    expect(await sheets(callTaskId)).toHaveLength(2);
  });
});
