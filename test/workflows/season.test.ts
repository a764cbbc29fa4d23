/**
 * A whole season for five kinds of client, on the real workflow: which messages go out, on which
 * business day, in which tone. A clerk approves whatever waits, twice a day, as a diligent team would.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { accountWorkflowId, decideDraftUpdate } from '../../workflows/account/definitions';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createTestWorker, tempOutbox } from '../support/engine';
import { addDaysIso, insertAccount, insertInvoice, isoDate, recordPayment, signal } from '../support/fixtures';
import { createTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let worker: Worker;
let taskQueue: string;
let running: Promise<void>;

beforeAll(async () => {
  [env, t] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
  ({ worker, taskQueue } = await createTestWorker(env, t, { mailer: tempOutbox().mailer }));
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await t?.destroy();
});

interface Profile {
  name: string;
  segment: string;
  clientSince: number; // days before day 0
  paymentMethod: string;
  /** Days late each of the last 12 monthly invoices was paid (history for tone). */
  history: number[];
  invoices: { dueDay: number; cents: number }[];
  /** Payments during the season: on day N, this many cents. */
  pays: { day: number; cents: number }[];
}

const profiles: Profile[] = [
  { name: 'Long-term on time', segment: 'long_term', clientSince: 1100, paymentMethod: 'ach', history: Array(12).fill(0), invoices: [{ dueDay: 10, cents: 480_000 }], pays: [{ day: 15, cents: 480_000 }] },
  { name: 'Habitual late payer', segment: 'standard', clientSince: 800, paymentMethod: 'card', history: Array(12).fill(30), invoices: [{ dueDay: 10, cents: 215_000 }], pays: [] },
  { name: 'New client', segment: 'new_client', clientSince: 30, paymentMethod: 'ach', history: [], invoices: [{ dueDay: 10, cents: 99_000 }], pays: [{ day: 22, cents: 99_000 }] },
  { name: 'Key account', segment: 'key_account', clientSince: 900, paymentMethod: 'wire', history: Array(12).fill(0), invoices: [{ dueDay: 10, cents: 3_400_000 }], pays: [{ day: 25, cents: 3_400_000 }] },
  { name: 'Check payer', segment: 'standard', clientSince: 540, paymentMethod: 'check', history: [0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 12, 9], invoices: [{ dueDay: 10, cents: 60_000 }, { dueDay: 17, cents: 75_000 }], pays: [{ day: 12, cents: 60_000 }, { day: 22, cents: 75_000 }] },
];

/**
 * Day 0 is a Monday, so day N is a weekend when N % 7 is 5 or 6. Every invoice is due on day 10, a
 * Thursday (the check payer's second one on day 17). Sends go out at 09:00 New York time; a step that
 * falls on a weekend moves to Monday (D+3 = day 13 → 14, D+10 = day 20 → 21). Expected: [step, day, tone].
 */
const expected: Record<string, [string, number, string][]> = {
  'Long-term on time': [['prevention', 7, 'warm'], ['first_reminder', 14, 'warm']],
  // The same stages one notch firmer; the final notice (D+21, a Thursday) waits for the clerk.
  'Habitual late payer': [['prevention', 7, 'neutral'], ['first_reminder', 14, 'neutral'], ['second_reminder', 21, 'firm'], ['final_notice', 31, 'firm']],
  // New-client policy: heads-up at D-5 (day 5, a Saturday → Monday), first reminder at D+2 (day 12 → 14).
  'New client': [['prevention', 7, 'warm'], ['first_reminder', 14, 'warm'], ['second_reminder', 21, 'neutral']],
  // Every step waits for a person; approved the same morning.
  'Key account': [['prevention', 7, 'warm'], ['first_reminder', 14, 'warm'], ['second_reminder', 21, 'warm']],
  // The first invoice is paid on day 12: the stage re-anchors on the second (due day 17).
  'Check payer': [['prevention', 7, 'warm'], ['prevention', 14, 'warm'], ['first_reminder', 21, 'warm']],
};

it('sends exactly the expected messages on the expected business days in the expected tone', async () => {
  // Day 0: the next Monday, 08:00 in New York (13:00Z in winter, 12:00Z in summer: use 12:30Z).
  let now = await env.currentTimeMs();
  let day0 = Date.parse(`${isoDate(now)}T12:30:00Z`);
  while (day0 <= now || new Date(day0).getUTCDay() !== 1) day0 += 86_400_000;
  await env.sleep(day0 - now);
  const d0 = isoDate(day0);

  const ids = new Map<string, string>();
  for (const p of profiles) {
    const id = await insertAccount(t, { name: p.name, segment: p.segment, mode: 'autonomous', paymentMethod: p.paymentMethod, clientSince: addDaysIso(d0, -p.clientSince) });
    for (const [i, late] of p.history.entries()) {
      const due = addDaysIso(d0, -30 * (12 - i) - 20);
      const invId = await insertInvoice(t, id, { number: `H-${i}`, issueDate: addDaysIso(due, -30), dueDate: due, amountCents: 50_000, balanceCents: 0 });
      await t.sql`update invoices set paid_at = ${`${addDaysIso(due, late)}T15:00:00Z`}::timestamptz, updated_at = now() where id = ${invId}`;
    }
    for (const [i, inv] of p.invoices.entries()) {
      const due = addDaysIso(d0, inv.dueDay);
      await insertInvoice(t, id, { number: `S-${i + 1}`, issueDate: addDaysIso(due, -30), dueDate: due, amountCents: inv.cents });
    }
    const [{ facts_version }] = await t.sql`select facts_version from accounts where id = ${id}`;
    await signal(env.client, taskQueue, id, Number(facts_version), 'invoice_upserted');
    ids.set(p.name, id);
  }

  const approveWaiting = async () => {
    const waiting = await t.sql`select id, account_id from messages where status = 'pending_approval'`;
    for (const m of waiting) {
      await env.client.workflow
        .getHandle(accountWorkflowId(m.account_id))
        .executeUpdate(decideDraftUpdate, { args: [{ messageId: m.id, decision: 'approve', actor: { type: 'user', name: 'Season clerk' } }] });
    }
  };
  const settle = () => new Promise((r) => setTimeout(r, 150));

  for (let day = 0; day <= 45; day++) {
    for (const p of profiles) {
      for (const pay of p.pays.filter((x) => x.day === day)) {
        const id = ids.get(p.name)!;
        const version = await recordPayment(t, id, pay.cents, new Date(await env.currentTimeMs()));
        await signal(env.client, taskQueue, id, version, 'payment_recorded');
      }
    }
    // 08:30 → 10:30 New York: drafts of the 09:00 run are approved and go out at once.
    await env.sleep('2 hours');
    await settle();
    await approveWaiting();
    await env.sleep('1 hour');
    await settle();
    await env.sleep('21 hours');
  }

  for (const p of profiles) {
    const id = ids.get(p.name)!;
    const sent = await t.sql<{ step_id: string; tone: string; sent_at: Date }[]>`
      select step_id, tone, sent_at from messages where account_id = ${id} and status = 'sent' order by sent_at`;
    const got = sent.map((m) => {
      const local = new Date(m.sent_at).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
      const hour = Number(new Date(m.sent_at).toLocaleString('en-US', { timeZone: 'America/New_York', hour: '2-digit', hour12: false }));
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(17);
      return [m.step_id, Math.round((Date.parse(`${local}T12:00:00Z`) - Date.parse(`${d0}T12:00:00Z`)) / 86_400_000), m.tone];
    });
    expect({ profile: p.name, sent: got }).toEqual({ profile: p.name, sent: expected[p.name] });
  }
  const calls = await t.sql`select account_id from call_tasks`;
  expect(calls.map((c) => c.account_id)).toEqual([ids.get('Habitual late payer')]);
});
