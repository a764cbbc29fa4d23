/**
 * The draft's life in the facts: recorded once per account, step and cycle; decided by a person
 * (approved, edited and approved, rejected); withdrawn or escalated by the workflow. Each change is one
 * transaction that locks the account row first (db/transactions.ts: the one lock order), then changes
 * the message only from the state it leaves, and appends its event. The send's own transitions
 * (queued → sending → sent | failed | withdrawn | unconfirmed) are in ./sends.ts.
 */
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { appendEvent, systemActor, type EventActor } from '../events';
import * as t from '../schema';
import { lockAccountRow } from '../transactions';
import { loadAccount, payLinkFor } from '../account-facts';
import type { Instant } from '../../domain/facts';
import type { DraftResult } from '../../domain/drafting/types';
import { draftRulesFromPolicyStep } from '../../domain/drafting/types';
import { factCheck } from '../../domain/drafting/fact-check';
import type { PlannedStep } from '../../domain/policy/types';
import { ANSWER_STEP_ID, type DraftDecision } from '../../domain/messages';
import { answerSettled } from './answers';
import { Errors, FactsRefused } from './refused';

export interface DraftRef {
  messageId: string;
  requiresApproval: boolean;
  sensitiveReasons: string[];
}

const live = (accountId: string, stepId: string, cycleKey: string) =>
  and(eq(t.messages.accountId, accountId), eq(t.messages.stepId, stepId), eq(t.messages.cycleKey, cycleKey), sql`${t.messages.status} <> 'superseded'`);

/** The step's message in this cycle, unless it was withdrawn: a step is worded once per cycle. */
export async function findLiveDraft(db: Db, accountId: string, step: Pick<PlannedStep, 'stepId' | 'cycleKey'>): Promise<DraftRef | null> {
  const [m] = await db.select().from(t.messages).where(live(accountId, step.stepId, step.cycleKey));
  return m ? { messageId: m.id, requiresApproval: m.requiresApproval, sensitiveReasons: m.sensitiveReasons } : null;
}

/** Messages that went out, oldest first as stored: what a new draft or call sheet may refer back to. */
export async function sentMessagesOf(db: Db, accountId: string): Promise<{ stepId: string; cycleKey: string; sentAt: string; subject: string }[]> {
  const rows = await db
    .select({ stepId: t.messages.stepId, cycleKey: t.messages.cycleKey, sentAt: t.messages.sentAt, subject: t.messages.subject })
    .from(t.messages)
    .where(and(eq(t.messages.accountId, accountId), eq(t.messages.status, 'sent'), ne(t.messages.stepId, ANSWER_STEP_ID)));
  return rows.filter((m) => m.sentAt).map((m) => ({ stepId: m.stepId, cycleKey: m.cycleKey, sentAt: m.sentAt!.toISOString(), subject: m.subject }));
}

/** The client's latest reply within 30 days, so a draft that follows it is written knowing what it said. */
export async function latestReplyOf(db: Db, accountId: string, now: Instant): Promise<{ receivedAt: string; text: string } | null> {
  const [r] = await db
    .select({ receivedAt: t.replies.receivedAt, text: t.replies.visibleText })
    .from(t.replies)
    .where(and(eq(t.replies.accountId, accountId), sql`${t.replies.receivedAt} > ${now}::timestamptz - interval '30 days'`))
    .orderBy(desc(t.replies.receivedAt))
    .limit(1);
  return r ? { receivedAt: r.receivedAt.toISOString(), text: r.text } : null;
}

/**
 * Stores a worded, checked draft: waiting for a person, or approved at once when autonomy allows. A
 * second recording of the same step and cycle (a retried activity) answers the first one.
 */
export async function recordDraft(
  db: Db,
  input: { accountId: string; step: PlannedStep; now: Instant; toEmail: string; draft: DraftResult; requiresApproval: boolean; sensitiveReasons: string[] },
): Promise<DraftRef> {
  const { step, draft, requiresApproval, sensitiveReasons } = input;
  return db.transaction(async (tx) => {
    if (!(await lockAccountRow(tx, input.accountId))) throw new FactsRefused(Errors.AccountNotFound, `account ${input.accountId} does not exist`);
    const [row] = await tx
      .insert(t.messages)
      .values({
        accountId: input.accountId,
        stepId: step.stepId,
        cycleKey: step.cycleKey,
        channel: step.channel,
        status: requiresApproval ? 'pending_approval' : 'approved',
        toEmail: input.toEmail,
        subject: draft.subject,
        bodyText: draft.bodyText,
        bodyHtml: draft.bodyHtml,
        draftSubject: draft.subject,
        draftBodyText: draft.bodyText,
        tone: draft.tone,
        source: draft.source,
        promptVersion: draft.promptVersion,
        model: draft.model ?? null,
        confidence: draft.confidence,
        factCheck: draft.factCheck,
        sensitiveReasons,
        requiresApproval,
        amountCents: step.balanceCents,
        daysOverdue: step.daysPastDue,
        invoiceIds: step.invoiceIds,
        scheduledFor: new Date(input.now),
        createdAt: new Date(input.now),
        decidedAt: requiresApproval ? null : new Date(input.now),
      })
      .onConflictDoNothing()
      .returning({ id: t.messages.id });
    if (!row) {
      const [again] = await tx.select().from(t.messages).where(live(input.accountId, step.stepId, step.cycleKey));
      return { messageId: again.id, requiresApproval: again.requiresApproval, sensitiveReasons: again.sensitiveReasons };
    }
    await appendEvent(tx, {
      accountId: input.accountId,
      type: 'draft.created',
      actor: systemActor,
      data: {
        messageId: row.id,
        stepId: step.stepId,
        cycleKey: step.cycleKey,
        tone: draft.tone,
        source: draft.source,
        promptVersion: draft.promptVersion,
        factCheck: draft.factCheck,
        requiresApproval,
        sensitiveReasons,
        amountCents: step.balanceCents,
      },
    });
    if (!requiresApproval) {
      await appendEvent(tx, { accountId: input.accountId, type: 'draft.approved', actor: systemActor, data: { messageId: row.id, reason: 'autonomous mode, routine step' } });
    }
    return { messageId: row.id, requiresApproval, sensitiveReasons };
  });
}

/**
 * A clerk's edit is checked like a model's draft: it may reword anything, but an amount, invoice
 * number, link or consequence the facts do not support is refused. Dates are left to the clerk,
 * who may have agreed one with the client.
 */
async function checkEdit(db: Db, msg: t.Message, subject: string, bodyText: string, now: Instant): Promise<string[]> {
  const loaded = await loadAccount(db, msg.accountId, new Date(now));
  if (!loaded) throw new FactsRefused(Errors.AccountNotFound, `account ${msg.accountId} does not exist`);
  const policyStep = loaded.policy.steps.find((s) => s.id === msg.stepId);
  if (!policyStep) return [];
  const step: PlannedStep = {
    stepId: msg.stepId,
    kind: policyStep.kind,
    channel: policyStep.channel,
    tone: msg.tone,
    cycleKey: msg.cycleKey,
    invoiceIds: msg.invoiceIds,
    balanceCents: msg.amountCents,
    daysPastDue: msg.daysOverdue,
    sensitiveReasons: msg.sensitiveReasons,
  };
  const result = factCheck(
    { subject, bodyText, bodyHtml: `<p>${bodyText.replace(/[&<>]/g, ' ')}</p>` },
    {
      facts: loaded.facts,
      step,
      now,
      payLink: payLinkFor(loaded.settings, msg.accountId, loaded.facts.invoices.find((i) => i.id === msg.invoiceIds[0])?.number),
      sender: loaded.settings.sender_identity,
      earlierMessages: [],
      rules: draftRulesFromPolicyStep(policyStep),
      lateFees: loaded.settings.late_fees,
    },
  );
  return result.issues.filter((i) => ['amount', 'invoice', 'link', 'language'].includes(i.category)).map((i) => i.message);
}

export interface RecordedDecision {
  applied: boolean;
  /** What the message is now: the decision's status, or what it already was ('missing' when there is none). */
  status: string;
  reason: string | null;
}

/** Records a person's decision; answers what the message is now if it was no longer waiting. */
export async function recordDecision(db: Db, input: { accountId: string; decision: DraftDecision; actor: EventActor; userId: string | null; now: Instant }): Promise<RecordedDecision> {
  const d = input.decision;
  const status = d.decision === 'reject' ? 'rejected' : 'approved';
  return db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const [msg] = await tx
      .select()
      .from(t.messages)
      .where(and(eq(t.messages.id, d.messageId), eq(t.messages.accountId, input.accountId)))
      .for('update');
    if (!msg) return { applied: false, status: 'missing', reason: null };
    // A retry after the first attempt committed finds its own decision already there.
    if (msg.status !== 'pending_approval') return { applied: msg.status === status && msg.decidedAt !== null, status: msg.status, reason: msg.decisionReason };
    if (d.decision === 'approve_with_edits') {
      const failures = await checkEdit(db, msg, d.subject, d.bodyText, input.now);
      if (failures.length > 0) return { applied: false, status: 'edit_refused', reason: failures.join('; ') };
    }
    await tx
      .update(t.messages)
      .set({
        status,
        decidedBy: input.userId,
        decidedAt: new Date(input.now),
        decisionReason: d.decision === 'reject' ? d.reason : null,
        ...(d.decision === 'approve_with_edits' ? { subject: d.subject, bodyText: d.bodyText, bodyHtml: null } : {}),
      })
      .where(and(eq(t.messages.id, d.messageId), eq(t.messages.status, 'pending_approval')));
    if (d.decision === 'reject') await answerSettled(tx, msg, { notSent: `a clerk rejected it (${d.reason})` });
    await appendEvent(tx, {
      accountId: input.accountId,
      type: d.decision === 'reject' ? 'draft.rejected' : d.decision === 'approve' ? 'draft.approved' : 'draft.edited_and_approved',
      actor: input.actor,
      data: {
        messageId: d.messageId,
        stepId: msg.stepId,
        ...(d.decision === 'reject' ? { reason: d.reason } : {}),
        ...(d.decision === 'approve_with_edits' ? { before: { subject: msg.subject, bodyText: msg.bodyText }, after: { subject: d.subject, bodyText: d.bodyText } } : {}),
      },
    });
    return { applied: true, status, reason: null };
  });
}

/** The workflow withdraws a draft that no longer says what is true; only a waiting or approved one. */
export async function withdrawDraft(db: Db, input: { accountId: string; messageId: string; reason: string; now: Instant }): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const updated = await tx
      .update(t.messages)
      .set({ status: 'superseded', decisionReason: input.reason, decidedAt: new Date(input.now) })
      .where(and(eq(t.messages.id, input.messageId), eq(t.messages.accountId, input.accountId), inArray(t.messages.status, ['pending_approval', 'approved'])))
      .returning();
    if (updated.length === 0) return false;
    await answerSettled(tx, updated[0], { notSent: `withdrawn, ${input.reason}` });
    await appendEvent(tx, { accountId: input.accountId, type: 'draft.withdrawn', actor: systemActor, data: { messageId: input.messageId, stepId: updated[0].stepId, reason: input.reason } });
    return true;
  });
}

/** A draft waiting past its deadline goes to the managers, once. */
export async function escalateDraft(db: Db, input: { accountId: string; messageId: string; waitedHours: number; now: Instant }): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const updated = await tx
      .update(t.messages)
      .set({ escalatedAt: new Date(input.now) })
      .where(and(eq(t.messages.id, input.messageId), eq(t.messages.accountId, input.accountId), eq(t.messages.status, 'pending_approval'), sql`${t.messages.escalatedAt} is null`))
      .returning({ id: t.messages.id });
    if (updated.length === 0) return false;
    await appendEvent(tx, { accountId: input.accountId, type: 'draft.escalated', actor: systemActor, data: { messageId: input.messageId, waitedHours: input.waitedHours, to: 'managers' } });
    return true;
  });
}

/** The amount a draft states, or null when there is no such draft. */
export async function draftAmount(db: Db, messageId: string): Promise<number | null> {
  const [m] = await db.select({ amountCents: t.messages.amountCents }).from(t.messages).where(eq(t.messages.id, messageId));
  return m ? m.amountCents : null;
}
