/**
 * Client replies as facts: each reply kept with what it was understood as and what Tactful did, and
 * the facts it changes written through the ledger's functions (a promise, a dispute, the account's
 * pause), in the reply's own transaction. A reply's hold — "already paid" until the payment is seen
 * or a deadline passes, out of office until the return date — is ended by `settleReplyHolds`, which
 * resumes the account only when the reply was what paused it.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, gte, inArray, lte, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from './client';
import { appendEvent, systemActor, type EventActor } from './events';
import { bumpFactsVersion, LedgerError, openDispute, recordPromise, type Executor, type FactWrite, type Tx } from './ledger';
import * as t from './schema';
import { lockAccountRow } from './transactions';
import type { ReplyAction } from '../domain/replies/action';
import type { MatchLookups, ReplyMatch } from '../domain/replies/match';
import type { Understanding } from '../domain/replies/types';
import type { FactsChanged } from '../domain/messages';

/** Raw messages are kept up to this size; a larger one keeps its head and says it was cut. */
export const MAX_STORED_RAW = 256 * 1024;
/** A proposed promise holds reminders through the promised day; the policy's own grace applies once confirmed. */
export const PROMISE_GRACE_DAYS = 1;
/** How long "we already paid" holds written reminders while the payment is looked for. */
export const VERIFY_DAYS = 5;

export type ReplyChange = FactWrite & { change: FactsChanged['change'] };

/**
 * A reply's hold starts or ends: the account's facts version moves so its workflow re-plans. The hold
 * itself is the reply row (status and hold_until, read by db/account-facts.ts), never the account's
 * pause switch, which belongs to managers: ending a hold cannot lift a pause a manager set.
 */
async function holdChanged(tx: Tx, accountId: string, change: 'reply_hold' | 'reply_hold_ended' | 'reply_question'): Promise<ReplyChange> {
  return { accountId, factsVersion: await bumpFactsVersion(tx, accountId), change };
}

export async function replyTokenFor(db: Executor, accountId: string): Promise<string> {
  await db
    .insert(t.replyTokens)
    .values({ accountId, token: randomBytes(8).toString('hex') })
    .onConflictDoNothing({ target: t.replyTokens.accountId });
  const [row] = await db.select({ token: t.replyTokens.token }).from(t.replyTokens).where(eq(t.replyTokens.accountId, accountId));
  return row.token;
}

/** ar@example.com + token → ar+token@example.com: where a client's reply comes back to. */
export async function replyAddressFor(db: Executor, accountId: string, mailbox: string): Promise<string> {
  const [local, domain] = mailbox.split('@');
  return `${local}+${await replyTokenFor(db, accountId)}@${domain}`;
}

export function replyLookups(db: Db): MatchLookups {
  return {
    async accountsForMessageIds(ids) {
      const rows = await db.select({ id: t.outbox.providerMessageId, accountId: t.outbox.accountId }).from(t.outbox).where(inArray(t.outbox.providerMessageId, ids));
      return new Map(rows.filter((r) => r.id).map((r) => [r.id!, r.accountId]));
    },
    async accountForToken(token) {
      const [row] = await db.select({ accountId: t.replyTokens.accountId }).from(t.replyTokens).where(eq(t.replyTokens.token, token));
      return row?.accountId ?? null;
    },
    async accountsForContact(email) {
      const rows = await db.selectDistinct({ accountId: t.contacts.accountId }).from(t.contacts).where(sql`lower(${t.contacts.email}) = ${email.toLowerCase()}`);
      return rows.map((r) => r.accountId);
    },
  };
}

export interface ReplyInput {
  source: string;
  raw: Buffer;
  messageId: string | null;
  fromEmail: string;
  subject: string;
  receivedAt: Date;
  visibleText: string;
  understanding: Understanding;
  classifier: string;
  match: ReplyMatch;
  action: ReplyAction;
  /** A routine question's answer, drafted from the account's facts. */
  answerText?: string | null;
}

export interface RecordedReply {
  replyId: string | null;
  duplicate: boolean;
  status: string;
  /** Facts that changed, for the account's workflow. */
  changes: ReplyChange[];
}

export async function recordReply(db: Db, input: ReplyInput): Promise<RecordedReply> {
  return db.transaction(async (tx) => {
    const accountId = input.match.accountId;
    if (accountId) await lockAccountRow(tx, accountId);
    const raw = input.raw.length > MAX_STORED_RAW ? input.raw.subarray(0, MAX_STORED_RAW) : input.raw;
    const changes: ReplyChange[] = [];
    const a = input.action;
    let status = 'waiting';
    let outcome: string;
    let holdUntil: Date | null = null;

    const [inserted] = await tx
      .insert(t.replies)
      .values({
        accountId,
        source: input.source,
        messageId: input.messageId,
        fromEmail: input.fromEmail,
        subject: input.subject.slice(0, 500),
        receivedAt: input.receivedAt,
        raw,
        rawTruncated: raw !== input.raw,
        visibleText: input.visibleText.slice(0, 20_000),
        kind: input.understanding.kind,
        confidence: input.understanding.confidence,
        evidence: input.understanding.evidence,
        details: input.understanding.details,
        flags: input.understanding.flags,
        classifier: input.classifier,
        matchQuality: input.match.quality,
        knownSender: input.match.knownSender,
        action: a,
        status: 'received',
      })
      .onConflictDoNothing({ target: t.replies.messageId, where: sql`${t.replies.messageId} is not null` })
      .returning({ id: t.replies.id });
    if (!inserted) return { replyId: null, duplicate: true, status: 'duplicate', changes };

    const actor: EventActor = { type: 'client', name: input.fromEmail };
    if (!accountId) outcome = a.type === 'to_person' ? a.why : 'no account';
    else {
      const [account] = await tx.select({ mode: t.accounts.mode, timeZone: t.accounts.timeZone }).from(t.accounts).where(eq(t.accounts.id, accountId));
      switch (a.type) {
        case 'propose_promise':
          if (account.mode === 'autonomous') {
            const w = await recordPromise(tx, { accountId, promisedDate: a.promisedDate, amountCents: a.amountCents, note: `from the client's reply: "${input.understanding.evidence}"` }, actor);
            changes.push({ ...w, change: 'promise_recorded' });
            status = 'done';
            outcome = `promise to pay on ${a.promisedDate} recorded`;
          } else {
            // Until the clerk confirms, written reminders still wait: the client has said when it pays.
            holdUntil = DateTime.fromISO(a.promisedDate, { zone: account.timeZone }).plus({ days: PROMISE_GRACE_DAYS }).toJSDate();
            changes.push(await holdChanged(tx, accountId, 'reply_hold'));
            status = 'proposed';
            outcome = `promise to pay on ${a.promisedDate} proposed for a clerk to confirm; written reminders wait until then`;
          }
          break;
        case 'open_dispute':
          try {
            const w = await openDispute(tx, { accountId, reason: `The client wrote: "${input.understanding.evidence}"` }, actor);
            changes.push({ ...w, change: 'dispute_opened' });
            outcome = 'dispute opened; automation halted for a person to resolve it';
          } catch (e) {
            if (!(e instanceof LedgerError)) throw e;
            outcome = `not opened: ${e.message}`;
          }
          break;
        case 'pause_and_verify':
        case 'wait_until': {
          holdUntil =
            a.type === 'pause_and_verify'
              ? new Date(input.receivedAt.getTime() + VERIFY_DAYS * 86_400_000)
              : DateTime.fromISO(a.returnDate, { zone: account.timeZone }).toJSDate();
          changes.push(await holdChanged(tx, accountId, 'reply_hold'));
          status = a.type === 'pause_and_verify' ? 'verifying' : 'holding';
          outcome = a.type === 'pause_and_verify' ? `written reminders paused; payment to be verified by ${holdUntil.toISOString().slice(0, 10)}` : `written reminders wait until ${a.returnDate}`;
          break;
        }
        case 'draft_answer':
          if (input.answerText) {
            // The account's workflow drafts the answer as a message from the facts of its moment
            // (db/facts/answers.ts); the text here is what the facts answered on arrival.
            changes.push(await holdChanged(tx, accountId, 'reply_question'));
            status = 'answering';
            outcome = 'a routine question: the answer is drafted from the account’s facts';
          } else outcome = 'a question the account’s facts do not answer: a person answers';
          break;
        case 'ignore_auto_reply':
          status = 'done';
          outcome = 'automatic reply; nothing to do';
          break;
        case 'to_person':
          outcome = a.why;
          break;
      }
    }
    await tx.update(t.replies).set({ status, outcome: outcome!, holdUntil, answerText: input.answerText ?? null }).where(eq(t.replies.id, inserted.id));
    await appendEvent(tx, {
      accountId,
      type: 'reply.received',
      actor,
      data: {
        replyId: inserted.id,
        kind: input.understanding.kind,
        confidence: input.understanding.confidence,
        evidence: input.understanding.evidence,
        flags: input.understanding.flags,
        match: input.match.quality,
        knownSender: input.match.knownSender,
        action: a.type,
        outcome: outcome!,
      },
    });
    return { replyId: inserted.id, duplicate: false, status, changes };
  });
}

/** A clerk's one click on a proposed promise. */
export async function confirmProposedPromise(db: Db, input: { replyId: string; userId?: string | null }, actor: EventActor): Promise<ReplyChange> {
  return db.transaction(async (tx) => {
    const [seen] = await tx.select({ accountId: t.replies.accountId }).from(t.replies).where(eq(t.replies.id, input.replyId));
    if (!seen?.accountId) throw new LedgerError('not_found', 'no such reply');
    await lockAccountRow(tx, seen.accountId);
    const [r] = await tx.select().from(t.replies).where(eq(t.replies.id, input.replyId)).for('update');
    if (!r || !r.accountId) throw new LedgerError('not_found', 'no such reply');
    if (r.status !== 'proposed') throw new LedgerError('conflict', `this reply is ${r.status}, not a proposed promise`);
    const a = r.action as Extract<ReplyAction, { type: 'propose_promise' }>;
    const w = await recordPromise(tx, { accountId: r.accountId, promisedDate: a.promisedDate, amountCents: a.amountCents, note: `confirmed from the client's reply: "${r.evidence}"`, userId: input.userId }, actor);
    // The recorded promise now holds the escalation itself; the reply's hold ends with its status.
    await tx.update(t.replies).set({ status: 'done', outcome: `promise to pay on ${a.promisedDate} confirmed`, resolvedAt: new Date(), resolvedBy: input.userId ?? null }).where(eq(t.replies.id, r.id));
    return { ...w, change: 'promise_recorded' };
  });
}

/**
 * A person settles a reply that waits for one (answered it by phone or their own e-mail, checked it,
 * decided it needs nothing): the reply is done with what they wrote, and its time counts as the first
 * answer. Only a reply waiting for a person; one being answered or holding follows its own course.
 */
export async function markReplyHandled(db: Db, input: { replyId: string; note: string; userId: string | null; now: Date }, actor: EventActor): Promise<{ id: string; outcome: string }> {
  return db.transaction(async (tx) => {
    const [seen] = await tx.select({ accountId: t.replies.accountId }).from(t.replies).where(eq(t.replies.id, input.replyId));
    if (!seen) throw new LedgerError('not_found', 'no such reply');
    if (seen.accountId) await lockAccountRow(tx, seen.accountId);
    const [r] = await tx.select().from(t.replies).where(eq(t.replies.id, input.replyId)).for('update');
    if (r.status !== 'waiting') throw new LedgerError('conflict', `this reply is ${r.status === 'done' ? 'already done' : r.status}, not waiting for a person`);
    const outcome = `handled by ${actor.name ?? 'a person'}: ${input.note}`;
    await tx.update(t.replies).set({ status: 'done', outcome, resolvedAt: input.now, resolvedBy: input.userId }).where(eq(t.replies.id, r.id));
    await appendEvent(tx, { accountId: r.accountId, type: 'reply.handled', actor, data: { replyId: r.id, note: input.note } });
    return { id: r.id, outcome };
  });
}

/**
 * Ends holds: an "already paid" reply is verified by a payment recorded since it arrived (or one
 * with the reference it named, or nothing left owed); at its deadline without one, reminders resume
 * and the reply waits for a person. An out-of-office hold ends on the return date.
 */
export async function settleReplyHolds(db: Db, now: Date): Promise<ReplyChange[]> {
  const open = await db
    .select()
    .from(t.replies)
    .where(or(eq(t.replies.status, 'verifying'), and(inArray(t.replies.status, ['holding', 'proposed']), lte(t.replies.holdUntil, now))));
  const changes: ReplyChange[] = [];
  for (const r of open) {
    if (!r.accountId) continue;
    const accountId = r.accountId;
    const change = await db.transaction(async (tx) => {
      await lockAccountRow(tx, accountId);
      const [cur] = await tx.select().from(t.replies).where(eq(t.replies.id, r.id)).for('update');
      if (cur.status !== r.status) return null;
      let status: string;
      let outcome: string;
      if (cur.status === 'verifying') {
        const reference = (cur.details as { reference?: string | null }).reference;
        const [paid] = await tx
          .select({ id: t.payments.id, reference: t.payments.reference })
          .from(t.payments)
          .where(and(eq(t.payments.accountId, accountId), eq(t.payments.kind, 'payment'), or(gte(t.payments.createdAt, cur.receivedAt), reference ? eq(t.payments.reference, reference) : sql`false`)))
          .limit(1);
        const [acct] = await tx.select({ balance: t.accounts.balanceCents }).from(t.accounts).where(eq(t.accounts.id, accountId));
        if (paid || acct.balance === 0) {
          status = 'done';
          outcome = paid ? `payment verified${paid.reference ? ` (reference ${paid.reference})` : ''}` : 'verified: nothing is owed';
        } else if (cur.holdUntil && cur.holdUntil <= now) {
          status = 'waiting';
          outcome = 'no payment seen by the deadline: reminders resumed, a person should check with the client';
        } else return null;
      } else if (cur.status === 'proposed') {
        status = 'waiting';
        outcome = 'the promised date passed and no clerk confirmed the promise: reminders resumed, a person should look';
      } else {
        status = 'done';
        outcome = 'the contact is back: reminders resumed';
      }
      // Any other reply still holding the account keeps holding it: each hold is its own row.
      await tx.update(t.replies).set({ status, outcome }).where(eq(t.replies.id, cur.id));
      const write = await holdChanged(tx, accountId, 'reply_hold_ended');
      await appendEvent(tx, { accountId, type: 'reply.hold_ended', actor: systemActor, data: { replyId: cur.id, outcome } });
      return write;
    });
    if (change) changes.push(change);
  }
  return changes;
}
