/**
 * A caller's outcome follows the ledger's rules for the facts it writes (issue 15, point 6): it takes
 * the account row first, a new promise replaces the open one, and `dispute.opened` is appended only
 * when a dispute was actually opened.
 */
import { and, eq } from 'drizzle-orm';
import { createDecisionActivities } from '../../activities/account/decisions';
import * as ledger from '../../db/ledger';
import * as t from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertAccount } from '../support/fixtures';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.destroy();
});

const caller = { type: 'user' as const, name: 'Casey Caller' };
const NOW = '2026-03-02T15:00:00.000Z';

async function openCallTask(accountId: string): Promise<string> {
  const [row] = await db.db
    .insert(t.callTasks)
    .values({ accountId, stepId: 'call', cycleKey: `c-${Math.random().toString(36).slice(2, 8)}`, dueAt: new Date(NOW) })
    .returning({ id: t.callTasks.id });
  return row.id;
}

it('a promise made on a call replaces the promise still open, as one recorded through the ledger does', async () => {
  const accountId = await insertAccount(db);
  await ledger.recordPromise(db.db, { accountId, promisedDate: '2026-03-10' }, { type: 'user', name: 'Clerk' });
  const callTaskId = await openCallTask(accountId);
  await createDecisionActivities({ db: db.db }).recordCallOutcome({ accountId, outcome: { callTaskId, outcome: 'promise', promisedDate: '2026-03-20', actor: caller }, now: NOW });
  const open = await db.db.select().from(t.promises).where(and(eq(t.promises.accountId, accountId), eq(t.promises.status, 'open')));
  expect(open.map((p) => p.promisedDate)).toEqual(['2026-03-20']);
});

it('a dispute reported on a call while one is open adds no second "dispute.opened" to the paper trail', async () => {
  const accountId = await insertAccount(db);
  await ledger.openDispute(db.db, { accountId, reason: 'Invoice INV-7 billed twice' }, { type: 'user', name: 'Clerk' });
  const callTaskId = await openCallTask(accountId);
  await createDecisionActivities({ db: db.db }).recordCallOutcome({ accountId, outcome: { callTaskId, outcome: 'dispute', reason: 'Still disputes INV-7', actor: caller }, now: NOW });
  const opened = await db.db.select().from(t.events).where(and(eq(t.events.accountId, accountId), eq(t.events.type, 'dispute.opened')));
  expect(opened).toHaveLength(1);
  const disputes = await db.db.select().from(t.disputes).where(eq(t.disputes.accountId, accountId));
  expect(disputes).toHaveLength(1);
  const logged = await db.db.select().from(t.events).where(and(eq(t.events.accountId, accountId), eq(t.events.type, 'call.logged')));
  expect(logged).toHaveLength(1);
});
