/**
 * A routine question's answer as a message: the reply that asked it waits as `answering` until its
 * account's workflow drafts the answer from the facts of that moment (step `answer`, cycle = the
 * reply's id), and the draft then lives the life of every draft — a clerk approves, edits or rejects
 * it in the queue (autonomous mode sends a routine one on its own), the send re-checks the balance,
 * and the reply ends with what became of its answer:
 *
 *   answering → done      the answer was sent (its time is the reply's first answer);
 *   answering → waiting   the answer was rejected, withdrawn, not sent, or the facts no longer answer
 *                         the question: a person answers, and the reply says why.
 *
 * Every change happens inside the transaction that changes the message (account row locked first).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { appendEvent, systemActor } from '../events';
import type { Tx } from '../ledger';
import * as t from '../schema';
import { ANSWER_STEP_ID } from '../../domain/messages';

/** The step id an answer's message carries; its cycle key is the id of the reply it answers. */
export const ANSWER_STEP = ANSWER_STEP_ID;

export const isAnswer = (msg: { stepId: string }) => msg.stepId === ANSWER_STEP;

/** Why a waiting answer is withdrawn and drafted again: it states a balance that changed. */
export const ANSWER_STALE = 'the balance changed since the answer was drafted';

/** The oldest question on the account whose answer is still to be drafted, if any. */
export async function questionToAnswer(db: Db, accountId: string): Promise<{ replyId: string } | null> {
  const [r] = await db
    .select({ id: t.replies.id })
    .from(t.replies)
    .where(
      and(
        eq(t.replies.accountId, accountId),
        eq(t.replies.status, 'answering'),
        sql`not exists (select 1 from ${t.messages} m where m.account_id = ${t.replies.accountId} and m.step_id = ${ANSWER_STEP} and m.cycle_key = ${t.replies.id}::text and m.status <> 'superseded')`,
      ),
    )
    .orderBy(asc(t.replies.receivedAt))
    .limit(1);
  return r ? { replyId: r.id } : null;
}

/** The question a reply asked, for the drafting activity. */
export async function questionOf(db: Db, replyId: string) {
  const [r] = await db.select().from(t.replies).where(eq(t.replies.id, replyId));
  if (!r || !r.accountId) return null;
  const action = r.action as { type: string; topic?: string };
  return { id: r.id, accountId: r.accountId, status: r.status, subject: r.subject, fromEmail: r.fromEmail, receivedAt: r.receivedAt, visibleText: r.visibleText, topic: action.topic ?? null };
}

/** The drafted answer's state, shown on the reply. */
export async function noteAnswerDrafted(db: Db, input: { replyId: string; text: string; requiresApproval: boolean }): Promise<void> {
  await db
    .update(t.replies)
    .set({
      answerText: input.text,
      outcome: input.requiresApproval
        ? 'answer drafted from the account’s facts; waiting in the queue for a clerk to approve'
        : 'answer drafted from the account’s facts; routine, so it is sent in the client’s business hours (autonomous mode)',
    })
    .where(and(eq(t.replies.id, input.replyId), eq(t.replies.status, 'answering')));
}

/** The facts no longer answer the question (nothing open to copy, say): a person answers. */
export async function answerNotPossible(db: Db, input: { accountId: string; replyId: string; why: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [r] = await tx
      .update(t.replies)
      .set({ status: 'waiting', outcome: `no answer drafted: ${input.why}; a person answers` })
      .where(and(eq(t.replies.id, input.replyId), eq(t.replies.status, 'answering')))
      .returning({ id: t.replies.id });
    if (r) await appendEvent(tx, { accountId: input.accountId, type: 'reply.answer_not_drafted', actor: systemActor, data: { replyId: input.replyId, why: input.why } });
  });
}

/**
 * The answer's message reached an end: sent (the reply is done, first answered now) or not sent for a
 * reason (the reply goes to a person). Called inside the message's own transaction; a message that is
 * not an answer is left alone.
 */
export async function answerSettled(tx: Tx, msg: { stepId: string; cycleKey: string; accountId: string; id: string }, end: { sentAt: Date } | { notSent: string }): Promise<void> {
  if (!isAnswer(msg)) return;
  // Withdrawn because the balance moved: the workflow drafts the answer again from the new facts.
  if ('notSent' in end && end.notSent.endsWith(ANSWER_STALE)) return;
  const sent = 'sentAt' in end;
  const [r] = await tx
    .update(t.replies)
    .set(
      sent
        ? { status: 'done', outcome: `answered by e-mail on ${end.sentAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`, resolvedAt: end.sentAt }
        : { status: 'waiting', outcome: `the drafted answer was not sent: ${end.notSent}; a person answers` },
    )
    .where(and(sql`${t.replies.id}::text = ${msg.cycleKey}`, eq(t.replies.status, 'answering')))
    .returning({ id: t.replies.id });
  if (r) await appendEvent(tx, { accountId: msg.accountId, type: sent ? 'reply.answered' : 'reply.answer_not_sent', actor: systemActor, data: { replyId: r.id, messageId: msg.id, ...(sent ? {} : { reason: end.notSent }) } });
}
