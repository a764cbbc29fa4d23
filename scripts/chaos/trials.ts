/**
 * The chaos trials, each against the real parts of a ChaosStack:
 *   (a) a payment racing a clerk's approval and the send, at random offsets, with several invoices and
 *       partial payments;
 *   (b) the worker SIGKILLed at each named point of a send and at random, a real SMTP server counting;
 *   (c) PostgreSQL and the Temporal server stopped under load;
 *   (d) duplicate and out-of-order webhooks sent concurrently.
 * Every trial is bounded in time; what a trial could not finish counts as a failure, not as a pass.
 */
import { randomUUID } from 'node:crypto';
import type { TestApi } from '../../test/api/support';
import { createUser, login } from '../../test/api/support';
import type { ChaosStack, HttpAnswer } from './stack';

export interface Tally {
  trials: number;
  lost: number;
  silentDuplicates: number;
  flaggedDuplicates: number;
  /** 5xx answers other than a 503 with Retry-After, and requests that got no answer at all. */
  n5xx: number;
  n503: number;
  answers: number;
  over3s: number;
  maxMs: number;
  remindersAfterPayment: number;
  failures: string[];
  notes: string[];
  recoveries: { what: string; seconds: number }[];
  seconds: number;
}

export const emptyTally = (): Tally => ({
  trials: 0,
  lost: 0,
  silentDuplicates: 0,
  flaggedDuplicates: 0,
  n5xx: 0,
  n503: 0,
  answers: 0,
  over3s: 0,
  maxMs: 0,
  remindersAfterPayment: 0,
  failures: [],
  notes: [],
  recoveries: [],
  seconds: 0,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (min: number, max: number) => Math.floor(min + Math.random() * (max - min + 1));
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const ALL_DAY = { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] };

function count(t: Tally, a: HttpAnswer): void {
  t.answers++;
  t.maxMs = Math.max(t.maxMs, a.ms);
  if (a.ms > 3_000) t.over3s++;
  if (a.status === 503 && a.retryAfter) t.n503++;
  else if (a.status >= 500 || a.status === 0) {
    t.n5xx++;
    if (t.failures.length < 40) t.failures.push(`HTTP ${a.status}: ${JSON.stringify(a.body).slice(0, 200)}`);
  }
}

/** Delivers a webhook until the API takes it (a 503 or no answer is retried, as a sender would), for at most `ms`. */
async function deliver(stack: ChaosStack, t: Tally, event: object, ms = 120_000): Promise<HttpAnswer> {
  const until = Date.now() + ms;
  for (;;) {
    const a = await stack.webhook(event);
    count(t, a);
    if ((a.status !== 503 && a.status !== 0) || Date.now() > until) return a;
    await sleep(500);
  }
}

const clientEvent = (ref: string, email: string, mode: 'copilot' | 'autonomous') => ({
  id: `client-${ref}`,
  type: 'client.upserted',
  occurredAt: new Date().toISOString(),
  data: { externalRef: ref, name: `Chaos ${ref}`, mode, timeZone: 'UTC', businessHours: ALL_DAY, contacts: [{ name: 'Accounts Payable', email }] },
});
const invoiceEvent = (ref: string, number: string, amountCents: number, dueDate: string, occurredAt = new Date().toISOString(), id = `inv-${ref}-${number}-${randomUUID()}`) => ({
  id,
  type: 'invoice.upserted',
  occurredAt,
  data: { account: { externalRef: ref }, number, issueDate: isoDay(-45), dueDate, amountCents, sourceUpdatedAt: occurredAt },
});
const paymentEvent = (id: string, ref: string, amountCents: number) => ({ id, type: 'payment.received', occurredAt: new Date().toISOString(), data: { account: { externalRef: ref }, amountCents, method: 'ach' } });

async function accountOf(stack: ChaosStack, ref: string): Promise<string> {
  const [row] = await stack.database.sql`select id from accounts where external_ref = ${ref}`;
  return row.id as string;
}

async function paymentRecorded(stack: ChaosStack, eventId: string): Promise<boolean> {
  const rows = await stack.database.sql`select 1 from payments where idempotency_key = ${`webhook:${eventId}`}`;
  return rows.length === 1;
}

async function poll<T>(probe: () => Promise<T | undefined>, ms: number, every = 200): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // A part is down; keep asking until the bound.
    }
    if (Date.now() > until) return undefined;
    await sleep(every);
  }
}

async function inParallel(n: number, total: number, budgetMs: number, trial: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const until = Date.now() + budgetMs;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < total && Date.now() < until) await trial(next++);
    }),
  );
  return next;
}

// ---- (a) payment vs approval and send ------------------------------------------------------------

export async function paymentRaces(stack: ChaosStack, options: { trials: number; parallel: number; budgetMs: number }): Promise<Tally> {
  const t = emptyTally();
  const started = Date.now();
  const clerk = await login({ url: stack.apiUrl } as TestApi, await createUser(stack.database, 'clerk'));
  const run = randomUUID().slice(0, 6);
  const outcomes = new Map<string, number>();
  const approvals = new Map<number, number>();
  const done = await inParallel(options.parallel, options.trials, options.budgetMs, async (i) => {
    const ref = `A-${run}-${i}`;
    const email = `a-${run}-${i}@chaos.test`;
    try {
      await deliver(stack, t, clientEvent(ref, email, 'copilot'));
      const invoices = Array.from({ length: rand(1, 3) }, (_, k) => ({ number: `INV-${i}-${k}`, amount: rand(20, 90) * 1_000, due: isoDay(-rand(4, 12)) }));
      for (const inv of invoices) await deliver(stack, t, invoiceEvent(ref, inv.number, inv.amount, inv.due));
      const total = invoices.reduce((s, x) => s + x.amount, 0);
      let paidBefore = 0;
      if (Math.random() < 0.3) {
        paidBefore = rand(1, invoices[0].amount / 1_000 - 1) * 1_000;
        await deliver(stack, t, paymentEvent(`pre-${ref}`, ref, paidBefore));
      }
      const accountId = await accountOf(stack, ref);
      const draft = await poll(async () => {
        const [m] = await stack.database.sql`select id from messages where account_id = ${accountId} and status = 'pending_approval'`;
        return m?.id as string | undefined;
      }, 90_000);
      if (!draft) {
        t.failures.push(`${ref}: no draft within 90 s`);
        return;
      }
      t.trials++;
      const owed = total - paidBefore;
      const full = Math.random() < 0.75;
      const amount = full ? owed : rand(1, Math.max(1, Math.floor(owed / 1_000) - 1)) * 1_000;
      const payId = `pay-${ref}`;
      // Negative: the payment first, by up to 0.3 s. Positive: the approval first, the payment up to
      // 2.5 s later — before, while and after the send goes out.
      const offset = rand(-300, 2_500);
      let paidAt = Infinity;
      const approve = (async () => {
        await sleep(Math.max(0, -offset));
        const start = Date.now();
        const res = await clerk.req('POST', `/api/queue/${draft}/decision`, { decision: 'approve' });
        const a: HttpAnswer = { status: res.status, body: await res.text(), ms: Date.now() - start, retryAfter: res.headers.get('retry-after') };
        count(t, a);
        approvals.set(a.status, (approvals.get(a.status) ?? 0) + 1);
        if (![200, 409, 503].includes(a.status)) t.failures.push(`${ref}: approval answered ${a.status} ${String(a.body).slice(0, 160)}`);
      })();
      const pay = (async () => {
        await sleep(Math.max(0, offset));
        const a = await deliver(stack, t, paymentEvent(payId, ref, amount));
        if (a.status >= 200 && a.status < 300) paidAt = Date.now();
        else t.failures.push(`${ref}: payment answered ${a.status}`);
      })();
      await Promise.all([approve, pay]);
      if (!(await paymentRecorded(stack, payId))) {
        t.lost++;
        t.failures.push(`${ref}: payment acknowledged but not in the ledger`);
      }
      const final = await poll(async () => {
        const [m] = await stack.database.sql`select status, send_note from messages where id = ${draft}`;
        return ['approved', 'sending'].includes(m.status) ? undefined : (m as { status: string; send_note: string | null });
      }, 120_000, 300);
      if (!final) t.failures.push(`${ref}: the approved message neither went out nor was stopped within 120 s`);
      const outcome = `${full ? 'full' : 'partial'} payment → ${final?.status ?? 'unsettled'}${final?.send_note ? ' (noted: sent while a payment was arriving)' : ''}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      const deliveries = stack.smtp.received.filter((m) => m.to.includes(email)).length;
      if (deliveries > 1) final?.status === 'unconfirmed' ? t.flaggedDuplicates++ : t.silentDuplicates++;
      if (deliveries > 0 && full) {
        const [box] = await stack.database.sql`select attempt_started_at from outbox where message_id = ${draft}`;
        // The attempt began after the payment was acknowledged, so its check saw a paid account.
        if (box?.attempt_started_at && new Date(box.attempt_started_at).getTime() > paidAt) {
          t.remindersAfterPayment++;
          t.failures.push(`${ref}: reminder sent after the payment was recorded`);
        }
      }
    } catch (err) {
      t.failures.push(`${ref}: ${(err as Error).message}`);
    }
  });
  t.seconds = (Date.now() - started) / 1000;
  t.notes.push(`${done} trials started, ${t.trials} reached the race (a draft was waiting)`);
  for (const [k, n] of [...outcomes].sort()) t.notes.push(`${n} × ${k}`);
  t.notes.push(`approvals answered: ${[...approvals].sort().map(([s, n]) => `${n} × ${s}`).join(', ')}`);
  return t;
}

// ---- (b) the worker killed mid-send ----------------------------------------------------------------

export type KillPoint = 'before_smtp' | 'after_smtp' | 'before_record' | 'random';

export async function workerKills(stack: ChaosStack, options: { points: KillPoint[]; perRound: number }): Promise<Tally> {
  const t = emptyTally();
  const started = Date.now();
  const run = randomUUID().slice(0, 6);
  for (const point of options.points) {
    await stack.worker?.kill();
    const faulty = stack.startWorker(point === 'random' ? {} : { faultPoint: point, faultEvery: true });
    await faulty.ready;
    const refs = Array.from({ length: options.perRound }, (_, i) => `B-${run}-${point}-${i}`);
    await inParallel(8, refs.length, 120_000, async (i) => {
      const ref = refs[i];
      await deliver(stack, t, clientEvent(ref, `${ref}@chaos.test`.toLowerCase(), 'autonomous'));
      await deliver(stack, t, invoiceEvent(ref, `INV-${i}`, rand(20, 60) * 1_000, isoDay(-5)));
    });
    if (point === 'random') await sleep(rand(500, 4_000));
    else if (point === 'before_record') await Promise.race([faulty.exited, sleep(60_000)]);
    else await poll(async () => ((faulty.output().match(new RegExp(`fault:${point}`, 'g')) ?? []).length >= Math.ceil(refs.length / 2) ? true : undefined), 45_000);
    await faulty.kill();
    const killedAt = Date.now();
    const ids = await Promise.all(refs.map((r) => accountOf(stack, r)));
    // The sends the killed worker had in hand (approved or handed over): what recovery must resume.
    const inHand = (await stack.database.sql`select id from messages where account_id in ${stack.database.sql(ids)} and status in ('approved', 'sending')`).map((r) => r.id as string);
    const clean = stack.startWorker();
    await clean.ready;
    const back = Date.now();
    // A killed attempt is noticed by its heartbeat timeout and retried on the worker that is back; the
    // killed worker's workflow tasks by their 4 s task timeout or the sticky queue's 2 s.
    const resumed = inHand.length
      ? await poll(async () => {
          const [{ n }] = await stack.database.sql`select count(*)::int as n from messages where id in ${stack.database.sql(inHand)} and status in ('approved', 'sending')`;
          return n === 0 ? true : undefined;
        }, 180_000, 250)
      : true;
    t.recoveries.push({ what: `worker killed at ${point}: the ${inHand.length} sends it had in hand settled, from the worker being back (${((back - killedAt) / 1000).toFixed(1)} s after the kill)`, seconds: resumed ? (Date.now() - back) / 1000 : Infinity });
    const settled = await poll(async () => {
      const rows = await stack.database.sql`select account_id, status from messages where account_id in ${stack.database.sql(ids)} and status in ('sent', 'unconfirmed', 'suppressed', 'superseded')`;
      return new Set(rows.map((r) => r.account_id)).size === ids.length ? rows : undefined;
    }, 180_000, 1_000);
    // Accounts the killed worker had not reached yet are ordinary work for the new one, not recovery.
    t.notes.push(`${point}: every one of the ${ids.length} accounts' sends settled ${((Date.now() - back) / 1000).toFixed(1)} s after the worker was back`);
    if (!settled) {
      // Which accounts, and where they stand, so a failure can be read, not only counted.
      const rows = await stack.database.sql`select a.external_ref, a.next_action, a.facts_version, a.workflow_seen_version,
          coalesce((select string_agg(m.status::text, ',') from messages m where m.account_id = a.id), 'no message') as statuses
        from accounts a where a.id in ${stack.database.sql(ids)}
          and not exists (select 1 from messages m where m.account_id = a.id and m.status in ('sent', 'unconfirmed', 'suppressed', 'superseded'))`;
      t.failures.push(`${point}: not every send settled within 180 s of the kill: ${rows.map((r) => `${r.external_ref} [${r.statuses}; next ${r.next_action}; facts v${r.facts_version}, seen v${r.workflow_seen_version}]`).join('; ').slice(0, 1500)}`);
    }
    for (const [i, ref] of refs.entries()) {
      t.trials++;
      const email = `${ref}@chaos.test`.toLowerCase();
      const deliveries = stack.smtp.received.filter((m) => m.to.includes(email)).length;
      const [m] = await stack.database.sql`select status from messages where account_id = ${ids[i]} order by created_at limit 1`;
      if (deliveries > 1) m?.status === 'unconfirmed' ? t.flaggedDuplicates++ : t.silentDuplicates++;
      if (!m) t.failures.push(`${ref}: no message at all`);
    }
    const flagged = await stack.database.sql`select count(*)::int as n from messages where account_id in ${stack.database.sql(ids)} and status = 'unconfirmed'`;
    t.notes.push(`${point}: ${refs.length} accounts, ${stack.smtp.received.filter((m) => refs.some((r) => m.to.includes(`${r}@chaos.test`.toLowerCase()))).length} deliveries, ${flagged[0].n} flagged "may have been sent"`);
  }
  t.seconds = (Date.now() - started) / 1000;
  return t;
}

// ---- (c) PostgreSQL and Temporal stopped under load ---------------------------------------------------

export async function outages(stack: ChaosStack, options: { postgres: number; temporal: number; pgDownMs: number; temporalDownMs: number }): Promise<Tally> {
  const t = emptyTally();
  const started = Date.now();
  const run = randomUUID().slice(0, 6);
  const refs = Array.from({ length: 6 }, (_, i) => `C-${run}-${i}`);
  for (const [i, ref] of refs.entries()) {
    await deliver(stack, t, clientEvent(ref, `${ref}@chaos.test`.toLowerCase(), 'copilot'));
    await deliver(stack, t, invoiceEvent(ref, `INV-${i}`, 5_000_000, isoDay(20)));
  }
  const acknowledged: string[] = [];
  let loading = true;
  let lastOk = 0;
  const load = Array.from({ length: 3 }, async (_, w) => {
    for (let n = 0; loading; n++) {
      const op = n % 3;
      if (op === 0) {
        const id = `load-${run}-${w}-${n}`;
        const a = await deliver(stack, t, paymentEvent(id, refs[rand(0, refs.length - 1)], 100), 300_000);
        if (a.status >= 200 && a.status < 300) {
          acknowledged.push(id);
          lastOk = Date.now();
        }
      } else {
        count(t, await stack.request('GET', op === 1 ? '/readyz' : '/api/openapi.json'));
      }
      await sleep(100);
    }
  });
  const recovered = async (what: string, from: number) => {
    const ok = await poll(async () => ((await stack.request('GET', '/readyz')).status === 200 ? true : undefined), 120_000, 100);
    const seconds = (Date.now() - from) / 1000;
    t.recoveries.push({ what, seconds: ok ? seconds : Infinity });
    if (!ok) t.failures.push(`${what}: not ready within 120 s`);
  };
  for (let i = 0; i < options.postgres; i++) {
    await sleep(2_000);
    await stack.stopPostgres();
    await sleep(options.pgDownMs);
    await stack.startPostgres();
    t.trials++;
    await recovered(`PostgreSQL back after ${options.pgDownMs / 1000} s down`, Date.now());
  }
  for (let i = 0; i < options.temporal; i++) {
    await sleep(2_000);
    await stack.stopTemporal();
    await sleep(options.temporalDownMs);
    await stack.startTemporal();
    t.trials++;
    // From the moment the server answers again on a fresh connection: the part has returned.
    await recovered(`Temporal back after ${options.temporalDownMs / 1000} s down`, Date.now());
    if (stack.worker && stack.worker.child.exitCode !== null) {
      t.notes.push('the worker exited while Temporal was down and was started again');
      stack.startWorker();
    }
  }
  loading = false;
  await Promise.all(load);
  for (const id of acknowledged) {
    if (!(await paymentRecorded(stack, id))) {
      t.lost++;
      t.failures.push(`${id}: acknowledged, not in the ledger`);
    }
  }
  t.notes.push(`${acknowledged.length} payments acknowledged under load, the last ${((Date.now() - lastOk) / 1000).toFixed(1)} s before the end`);
  t.seconds = (Date.now() - started) / 1000;
  return t;
}

// ---- (d) duplicate and out-of-order webhooks ------------------------------------------------------------

export async function webhookStorms(stack: ChaosStack, options: { trials: number; parallel: number }): Promise<Tally> {
  const t = emptyTally();
  const started = Date.now();
  const run = randomUUID().slice(0, 6);
  await inParallel(options.parallel, options.trials, 600_000, async (i) => {
    const ref = `D-${run}-${i}`;
    try {
      await deliver(stack, t, clientEvent(ref, `${ref}@chaos.test`.toLowerCase(), 'copilot'));
      const base = Date.now() - 3_600_000;
      const versions = Array.from({ length: 5 }, (_, v) => invoiceEvent(ref, 'INV-1', (v + 2) * 10_000, isoDay(10), new Date(base + v * 60_000).toISOString(), `inv-${ref}-v${v}`));
      const payId = `pay-${ref}`;
      const storm = [...versions, ...versions, ...Array.from({ length: 6 }, () => paymentEvent(payId, ref, 15_000))].sort(() => Math.random() - 0.5);
      await Promise.all(storm.map((e) => deliver(stack, t, e)));
      t.trials++;
      const accountId = await accountOf(stack, ref);
      const pays = await stack.database.sql`select count(*)::int as n from payments where account_id = ${accountId}`;
      if (pays[0].n !== 1) {
        t.failures.push(`${ref}: ${pays[0].n} payments from one event delivered 6 times`);
        if (pays[0].n === 0) t.lost++;
      }
      const [inv] = await stack.database.sql`select amount_cents from invoices where account_id = ${accountId} and number = 'INV-1'`;
      if (Number(inv.amount_cents) !== 60_000) t.failures.push(`${ref}: the invoice ended at ${inv.amount_cents}, not the newest version's 60000`);
    } catch (err) {
      t.failures.push(`${ref}: ${(err as Error).message}`);
    }
  });
  t.seconds = (Date.now() - started) / 1000;
  return t;
}
