/**
 * What the API answers when a write collides with another one or with the workflow moving on: a
 * payment chosen as a deadlock victim is rerun and recorded (never a 500, never lost); a conflict
 * that persists is a 503 with Retry-After; approving a draft a payment just withdrew is a 409 that
 * says so, not a 404.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as ledger from '../../db/ledger';
import * as t from '../../db/schema';
import { ConflictPersistedError, withConflictRetry } from '../../db/transactions';
import { toProblem } from '../../api/problems';
import { WorkflowRejectedError, type WorkflowGateway } from '../../api/gateway';
import { Errors } from '../../domain/messages';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { FakeGateway, createAccount, createDraft, createUser, login, startApi, type TestApi } from '../api/support';

let db: TestDatabase;
let api: TestApi;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

async function owing(amountCents: number) {
  const acc = await createAccount(db);
  await ledger.upsertInvoice(db.db, { accountId: acc.id, number: 'INV-1', issueDate: '2026-01-01', dueDate: '2026-02-01', amountCents }, { type: 'system' });
  return acc;
}

async function waitForLockWaiter(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const [row] = await db.sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (row.n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the payment never waited for the message row');
}

it('a payment that PostgreSQL aborts to break a deadlock is rerun and recorded: 201, not 500', async () => {
  api = await startApi(db);
  const clerk = await login(api, await createUser(db, 'clerk'));
  const acc = await owing(50_000);
  const draft = await createDraft(db, acc.id, { status: 'approved', amountCents: 50_000 });

  // Another writer in the wrong order: the message row first, then the account. The payment (account,
  // then the account's drafts) waits on the message; once it does, the other writer reaches for the
  // account and the circle closes. The payment waited first, so PostgreSQL aborts the payment.
  const other = db.sql.begin(async (sql) => {
    await sql`set local deadlock_timeout = '10s'`;
    await sql`select id from messages where id = ${draft.id} for update`;
    await waitForLockWaiter();
    await sql`select id from accounts where id = ${acc.id} for key share`;
    await new Promise((r) => setTimeout(r, 200));
  });
  const paid = await clerk.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 50_000, receivedAt: '2026-03-01T10:00:00Z', method: 'ach' }, { 'idempotency-key': `k-${randomUUID()}` });
  await other;

  expect(paid.status).toBe(201);
  const payments = await db.db.select().from(t.payments).where(eq(t.payments.accountId, acc.id));
  expect(payments.map((p) => p.amountCents)).toEqual([50_000]);
  const [a] = await db.db.select().from(t.accounts).where(eq(t.accounts.id, acc.id));
  expect(a.balanceCents).toBe(0);
  const [m] = await db.db.select().from(t.messages).where(eq(t.messages.id, draft.id));
  expect(m.status).toBe('superseded');
});

it('a conflict that outlasts the reruns answers 503 with Retry-After, and nothing was half-written', async () => {
  let runs = 0;
  const deadlocked = withConflictRetry(
    async () => {
      runs++;
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    },
    { baseDelayMs: 1 },
  );
  await expect(deadlocked).rejects.toBeInstanceOf(ConflictPersistedError);
  expect(runs).toBe(5);
  const err = await deadlocked.catch((e: unknown) => e);
  expect(toProblem(err)).toMatchObject({ status: 503, type: '/problems/write-conflict', headers: { 'Retry-After': expect.stringMatching(/^\d+$/) } });
  // A raw PostgreSQL serialization failure reaching the error handler is a 503 too, never a 500.
  expect(toProblem(Object.assign(new Error('could not serialize access'), { code: '40001' })).status).toBe(503);
});

it('approving a draft that a payment withdrew while the request was on its way answers 409 "withdrawn: the account has paid"', async () => {
  // The request reads the draft while it waits; the payment lands; by the time the update reaches the
  // workflow, the workflow has dropped the draft and no longer knows it.
  const fake = new FakeGateway(db);
  const racing: WorkflowGateway = {
    factsChanged: (id, s) => fake.factsChanged(id, s),
    logCallOutcome: (id, o) => fake.logCallOutcome(id, o),
    state: (id) => fake.state(id),
    ping: () => fake.ping(),
    async decideDraft(accountId) {
      await ledger.recordPayment(db.db, { accountId, amountCents: 80_000, receivedAt: new Date('2026-03-01T10:00:00Z'), method: 'ach' }, { type: 'integration' });
      throw new WorkflowRejectedError(Errors.NoSuchDraft, 'No draft with this id is waiting for a decision on this account.');
    },
  };
  const racingApi = await startApi(db, { gateway: racing });
  try {
    const clerk = await login(racingApi, await createUser(db, 'clerk'));
    const acc = await owing(80_000);
    const draft = await createDraft(db, acc.id, { amountCents: 80_000 });
    const r = await clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' });
    expect(r.status).toBe(409);
    expect(r.body.type).toBe('/problems/superseded');
    expect(r.body.detail).toMatch(/withdrawn: the account has paid/);
  } finally {
    await racingApi.close();
  }
});

it('approving a draft filed a moment ago, before its workflow took it in, waits briefly and succeeds; never "not found"', async () => {
  const fake = new FakeGateway(db);
  let calls = 0;
  let behind = 1;
  const lagging: WorkflowGateway = {
    factsChanged: (id, s) => fake.factsChanged(id, s),
    logCallOutcome: (id, o) => fake.logCallOutcome(id, o),
    state: (id) => fake.state(id),
    ping: () => fake.ping(),
    async decideDraft(accountId, d) {
      calls++;
      if (calls <= behind) throw new WorkflowRejectedError(Errors.NoSuchDraft, 'No draft with this id is waiting for a decision on this account.');
      return fake.decideDraft(accountId, d);
    },
  };
  const laggingApi = await startApi(db, { gateway: lagging });
  try {
    const clerk = await login(laggingApi, await createUser(db, 'clerk'));
    const acc = await owing(40_000);
    const caughtUp = await createDraft(db, acc.id, { amountCents: 40_000 });
    expect((await clerk.json('POST', `/api/queue/${caughtUp.id}/decision`, { decision: 'approve' })).status).toBe(200);
    expect(calls).toBe(2);

    behind = Infinity;
    const neverThere = await createDraft(db, acc.id, { amountCents: 40_000, stepId: 'second_reminder' });
    const r = await clerk.json('POST', `/api/queue/${neverThere.id}/decision`, { decision: 'approve' });
    expect([r.status, r.headers.get('retry-after')]).toEqual([409, '1']);
    expect(r.body.detail).toMatch(/not ready for a decision yet/);
  } finally {
    await laggingApi.close();
  }
});
