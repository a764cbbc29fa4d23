/**
 * The account workflow's side effects, built from injected dependencies so tests pass real
 * PostgreSQL and SMTP peers without module mocking. Every write is keyed by business identifiers
 * (account, step, cycle), so a retried activity finds its earlier work instead of repeating it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { appendEvent, systemActor, type EventActor } from '../../db/events';
import * as t from '../../db/schema';
import type { Instant, Mode } from '../../domain/facts';
import { buildCallSheet } from '../../domain/drafting/call-sheet';
import { factCheck } from '../../domain/drafting/fact-check';
import { draftRulesFromPolicyStep, type DraftInput, type DraftResult } from '../../domain/drafting/types';
import { decideSend } from '../../domain/drafting/send-decision';
import { localDate } from '../../domain/calendar';
import { nextAction } from '../../domain/policy/next-action';
import type { NextAction, PlannedStep } from '../../domain/policy/types';
import type { Actor, CallOutcome, DraftDecision } from '../../workflows/account/definitions';
import { Errors } from '../../workflows/account/definitions';
import type { Mailer } from '../mail/mailer';
import { loadAccount, loadSettings, payLinkFor, type LoadedAccount } from './load-facts';

async function retryBriefly<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500 * 2 ** i));
    }
  }
}

export interface SafeDrafter {
  draft(input: DraftInput): Promise<DraftResult>;
}

export interface AccountActivityDeps {
  db: Db;
  drafter: SafeDrafter;
  mailer: Mailer;
}

export interface PendingDraftRef {
  messageId: string;
  stepId: string;
  cycleKey: string;
}

export interface Plan {
  found: boolean;
  factsVersion: number;
  mode: Mode;
  next: NextAction;
  sendWindow: { timeZone: string; businessHours: LoadedAccount['facts']['businessHours']; holidays: string[] };
  approvalDeadlineHours: number;
  balanceCents: number;
  promise: { promisedDate: string; status: string } | null;
  disputeOpen: boolean;
  paused: boolean;
  /** Set when the waiting draft no longer says what is true: why it must be withdrawn. */
  withdrawReason?: string;
}

const toActor = (a?: Actor): EventActor => (a ? { type: a.type, id: a.id ?? null, name: a.name ?? null } : systemActor);
const userId = (a?: Actor) => (a?.type === 'user' && a.id && /^[0-9a-f-]{36}$/i.test(a.id) ? a.id : null);

/**
 * Times come from the workflow (`now`), never from this process's clock: the workflow's time is the
 * one the policy reasons in, and on the time-skipping test server it is not the wall clock.
 */
export function createAccountActivities({ db, drafter, mailer }: AccountActivityDeps) {
  async function load(accountId: string, now: Date): Promise<LoadedAccount> {
    const loaded = await loadAccount(db, accountId, now);
    if (!loaded) {
      throw ApplicationFailure.create({ type: Errors.AccountNotFound, message: `account ${accountId} does not exist`, nonRetryable: true });
    }
    return loaded;
  }

  /** Promises become kept or broken with time; the trail records the moment it was noticed. */
  async function settlePromises(loaded: LoadedAccount, now: Instant): Promise<boolean> {
    const { facts, policy } = loaded;
    const today = localDate(now, facts.timeZone);
    const openBalance = facts.invoices.filter((i) => i.status === 'open').reduce((s, i) => s + i.balanceCents, 0);
    let changed = false;
    for (const p of facts.promises.filter((x) => x.status === 'open')) {
      const paidSince = facts.payments.filter((x) => x.receivedAt >= p.createdAt).reduce((s, x) => s + x.amountCents, 0);
      const kept = openBalance === 0 || (p.amountCents != null && paidSince >= p.amountCents);
      const graceEnd = new Date(`${p.promisedDate}T00:00:00Z`).getTime() + (policy.rules.promiseGraceDays + 1) * 86_400_000;
      const broken = !kept && new Date(`${today}T00:00:00Z`).getTime() >= graceEnd;
      if (!kept && !broken) continue;
      const status = kept ? 'kept' : 'broken';
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(t.promises)
          .set({ status, resolvedAt: new Date(now) })
          .where(and(eq(t.promises.id, p.id), eq(t.promises.status, 'open')))
          .returning({ id: t.promises.id });
        if (updated.length === 0) return;
        await appendEvent(tx, { accountId: facts.accountId, type: `promise.${status}`, actor: systemActor, data: { promiseId: p.id, promisedDate: p.promisedDate } });
      });
      p.status = status;
      changed = true;
    }
    return changed;
  }

  async function recordSkips(accountId: string, next: NextAction): Promise<void> {
    for (const s of next.skipped) {
      const [existing] = await db
        .select({ id: t.events.id })
        .from(t.events)
        .where(
          and(
            eq(t.events.accountId, accountId),
            eq(t.events.type, 'step.skipped'),
            sql`${t.events.data}->>'stepId' = ${s.stepId} and ${t.events.data}->>'cycleKey' = ${s.cycleKey}`,
          ),
        )
        .limit(1);
      if (!existing) await appendEvent(db, { accountId, type: 'step.skipped', actor: systemActor, data: { ...s } });
    }
  }

  function describeNext(next: NextAction): { stage: string | null; nextAction: string; at: Date | null } {
    if (next.type === 'act') return { stage: next.step.kind, nextAction: next.step.stepId, at: new Date(next.at) };
    if (next.type === 'wait') return { stage: null, nextAction: `wait:${next.reason}`, at: new Date(next.until) };
    return { stage: null, nextAction: `idle:${next.reason}`, at: null };
  }

  /**
   * A clerk's edit is checked like a model's draft: it may reword anything, but an amount, invoice
   * number, link or consequence the facts do not support is refused. Dates are left to the clerk,
   * who may have agreed one with the client.
   */
  async function checkEdit(msg: t.Message, subject: string, bodyText: string, now: Instant): Promise<string[]> {
    const loaded = await load(msg.accountId, new Date(now));
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
      },
    );
    return result.issues.filter((i) => ['amount', 'invoice', 'link', 'language'].includes(i.category)).map((i) => i.message);
  }

  function withdrawReasonFor(pending: PendingDraftRef, next: NextAction, draftAmount: number): string | undefined {
    if (next.type === 'idle') {
      const reasons: Record<string, string> = {
        no_open_balance: 'the account has paid: nothing is owed any more',
        dispute_open: 'a dispute was opened: automation stops until a person resolves it',
        paused: 'a manager paused follow-up for this account',
        escalation_complete: 'no step applies any more',
      };
      return reasons[next.reason];
    }
    if (next.type === 'wait') {
      return next.reason === 'promise_open' ? 'the client promised to pay: escalation waits for that date' : undefined;
    }
    if (next.step.cycleKey !== pending.cycleKey) return 'a payment settled the invoice this draft is about';
    if (next.step.stepId !== pending.stepId) return `a later step (${next.step.stepId}) is now due instead`;
    if (next.step.balanceCents !== draftAmount) return 'a payment changed the balance this draft states';
    return undefined;
  }

  return {
    /** Loads the facts, lets the policy decide, and writes the list columns people see. */
    async planNextAction(input: { accountId: string; now: Instant; pending?: PendingDraftRef | null }): Promise<Plan> {
      const now = new Date(input.now);
      let loaded = await load(input.accountId, now);
      if (await settlePromises(loaded, input.now)) loaded = await load(input.accountId, now);
      const { facts, policy } = loaded;
      const next = nextAction({ policy, facts, now: input.now });
      await recordSkips(facts.accountId, next);

      let withdrawReason: string | undefined;
      if (input.pending) {
        const [msg] = await db.select({ amountCents: t.messages.amountCents }).from(t.messages).where(eq(t.messages.id, input.pending.messageId));
        withdrawReason = msg ? withdrawReasonFor(input.pending, next, msg.amountCents) : 'the draft no longer exists';
      }

      const balanceCents = facts.invoices.filter((i) => i.status === 'open').reduce((s, i) => s + i.balanceCents, 0);
      const shown = input.pending && !withdrawReason ? { stage: null, nextAction: `approval:${input.pending.stepId}`, at: null } : describeNext(next);
      await db
        .update(t.accounts)
        .set({
          stage: shown.stage ?? (input.pending && !withdrawReason ? input.pending.stepId : null),
          nextAction: shown.nextAction,
          nextActionAt: shown.at,
          workflowSeenVersion: sql`greatest(${t.accounts.workflowSeenVersion}, ${loaded.factsVersion})`,
        })
        .where(eq(t.accounts.id, facts.accountId));

      const promise = facts.promises.filter((p) => p.status === 'open').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      return {
        found: true,
        factsVersion: loaded.factsVersion,
        mode: facts.mode,
        next,
        sendWindow: { timeZone: facts.timeZone, businessHours: facts.businessHours, holidays: facts.holidays },
        approvalDeadlineHours: policy.rules.approvalDeadlineHours,
        balanceCents,
        promise: promise ? { promisedDate: promise.promisedDate, status: promise.status } : null,
        disputeOpen: facts.disputes.some((d) => d.status === 'open'),
        paused: facts.paused,
        withdrawReason,
      };
    },

    /** Drafts the step's message, fact-checks it and stores it; returns whether a person must approve. */
    async prepareDraft(input: { accountId: string; step: PlannedStep; now: Instant; mode: Mode }): Promise<{
      messageId: string;
      requiresApproval: boolean;
      sensitiveReasons: string[];
    }> {
      const [existing] = await db
        .select()
        .from(t.messages)
        .where(
          and(
            eq(t.messages.accountId, input.accountId),
            eq(t.messages.stepId, input.step.stepId),
            eq(t.messages.cycleKey, input.step.cycleKey),
            sql`${t.messages.status} <> 'superseded'`,
          ),
        );
      if (existing) return { messageId: existing.id, requiresApproval: existing.requiresApproval, sensitiveReasons: existing.sensitiveReasons };

      const loaded = await load(input.accountId, new Date(input.now));
      const { facts, policy, settings } = loaded;
      const policyStep = policy.steps.find((s) => s.id === input.step.stepId);
      if (!policyStep) {
        throw ApplicationFailure.create({ type: Errors.InvalidInput, message: `step ${input.step.stepId} is not in policy ${policy.name}`, nonRetryable: true });
      }
      const [recent] = await Promise.all([
        db
          .select({ stepId: t.messages.stepId, sentAt: t.messages.sentAt, subject: t.messages.subject })
          .from(t.messages)
          .where(and(eq(t.messages.accountId, input.accountId), eq(t.messages.status, 'sent'))),
      ]);
      const draft = await drafter.draft({
        facts,
        step: input.step,
        now: input.now,
        payLink: payLinkFor(settings, facts.accountId, facts.invoices.find((i) => i.id === input.step.invoiceIds[0])?.number),
        sender: settings.sender_identity,
        earlierMessages: recent.filter((m) => m.sentAt).map((m) => ({ stepId: m.stepId, sentAt: m.sentAt!.toISOString(), subject: m.subject })),
        rules: draftRulesFromPolicyStep(policyStep),
      });
      const { sensitiveReasons, requiresApproval } = decideSend({ mode: input.mode, stepSensitiveReasons: input.step.sensitiveReasons, draft });
      const contact = facts.contacts[0];
      if (!contact) {
        throw ApplicationFailure.create({ type: Errors.InvalidInput, message: `account ${facts.name} has no contact to write to`, nonRetryable: true });
      }
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(t.messages)
          .values({
            accountId: input.accountId,
            stepId: input.step.stepId,
            cycleKey: input.step.cycleKey,
            channel: input.step.channel,
            status: requiresApproval ? 'pending_approval' : 'approved',
            toEmail: contact.email,
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
            amountCents: input.step.balanceCents,
            daysOverdue: input.step.daysPastDue,
            invoiceIds: input.step.invoiceIds,
            scheduledFor: new Date(input.now),
            createdAt: new Date(input.now),
            decidedAt: requiresApproval ? null : new Date(input.now),
          })
          .onConflictDoNothing()
          .returning({ id: t.messages.id });
        if (!row) {
          const [again] = await tx
            .select()
            .from(t.messages)
            .where(and(eq(t.messages.accountId, input.accountId), eq(t.messages.stepId, input.step.stepId), eq(t.messages.cycleKey, input.step.cycleKey), sql`${t.messages.status} <> 'superseded'`));
          return { messageId: again.id, requiresApproval: again.requiresApproval, sensitiveReasons: again.sensitiveReasons };
        }
        await appendEvent(tx, {
          accountId: input.accountId,
          type: 'draft.created',
          actor: systemActor,
          data: {
            messageId: row.id,
            stepId: input.step.stepId,
            cycleKey: input.step.cycleKey,
            tone: draft.tone,
            source: draft.source,
            promptVersion: draft.promptVersion,
            factCheck: draft.factCheck,
            requiresApproval,
            sensitiveReasons,
            amountCents: input.step.balanceCents,
          },
        });
        if (!requiresApproval) {
          await appendEvent(tx, { accountId: input.accountId, type: 'draft.approved', actor: systemActor, data: { messageId: row.id, reason: 'autonomous mode, routine step' } });
        }
        return { messageId: row.id, requiresApproval, sensitiveReasons };
      });
    },

    /** Records a person's decision; answers what the message is now if it was no longer waiting. */
    async recordDecision(input: { accountId: string; decision: DraftDecision; now: Instant }): Promise<{ applied: boolean; status: string; reason: string | null }> {
      const d = input.decision;
      const status = d.decision === 'reject' ? 'rejected' : 'approved';
      return db.transaction(async (tx) => {
        const [msg] = await tx.select().from(t.messages).where(eq(t.messages.id, d.messageId)).for('update');
        if (!msg) return { applied: false, status: 'missing', reason: null };
        // A retry after the first attempt committed finds its own decision already there.
        if (msg.status !== 'pending_approval') return { applied: msg.status === status && msg.decidedAt !== null, status: msg.status, reason: msg.decisionReason };
        if (d.decision === 'approve_with_edits') {
          const failures = await checkEdit(msg, d.subject, d.bodyText, input.now);
          if (failures.length > 0) return { applied: false, status: 'edit_refused', reason: failures.join('; ') };
        }
        await tx
          .update(t.messages)
          .set({
            status,
            decidedBy: userId(d.actor),
            decidedAt: new Date(input.now),
            decisionReason: d.decision === 'reject' ? d.reason : null,
            ...(d.decision === 'approve_with_edits' ? { subject: d.subject, bodyText: d.bodyText, bodyHtml: null } : {}),
          })
          .where(eq(t.messages.id, d.messageId));
        await appendEvent(tx, {
          accountId: input.accountId,
          type: d.decision === 'reject' ? 'draft.rejected' : d.decision === 'approve' ? 'draft.approved' : 'draft.edited_and_approved',
          actor: toActor(d.actor),
          data: {
            messageId: d.messageId,
            stepId: msg.stepId,
            ...(d.decision === 'reject' ? { reason: d.reason } : {}),
            ...(d.decision === 'approve_with_edits'
              ? { before: { subject: msg.subject, bodyText: msg.bodyText }, after: { subject: d.subject, bodyText: d.bodyText } }
              : {}),
          },
        });
        return { applied: true, status, reason: null };
      });
    },

    async withdrawDraft(input: { accountId: string; messageId: string; reason: string; now: Instant }): Promise<void> {
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(t.messages)
          .set({ status: 'superseded', decisionReason: input.reason, decidedAt: new Date(input.now) })
          .where(and(eq(t.messages.id, input.messageId), inArray(t.messages.status, ['pending_approval', 'approved'])))
          .returning({ stepId: t.messages.stepId });
        if (updated.length === 0) return;
        await appendEvent(tx, { accountId: input.accountId, type: 'draft.withdrawn', actor: systemActor, data: { messageId: input.messageId, stepId: updated[0].stepId, reason: input.reason } });
      });
    },

    async escalateDraft(input: { accountId: string; messageId: string; waitedHours: number; now: Instant }): Promise<void> {
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(t.messages)
          .set({ escalatedAt: new Date(input.now) })
          .where(and(eq(t.messages.id, input.messageId), eq(t.messages.status, 'pending_approval'), sql`${t.messages.escalatedAt} is null`))
          .returning({ id: t.messages.id });
        if (updated.length === 0) return;
        await appendEvent(tx, { accountId: input.accountId, type: 'draft.escalated', actor: systemActor, data: { messageId: input.messageId, waitedHours: input.waitedHours, to: 'managers' } });
      });
    },

    /**
     * Sends an approved message at most once. The balance, dispute and pause checks and the outbox row
     * share one transaction with a lock on the account, so a payment recorded a moment earlier wins.
     */
    /**
     * Sends an approved message at most once. Every attempt, first or retried, re-checks the balance,
     * dispute and pause in one transaction with a lock on the account, so a payment recorded a moment
     * earlier — or while a crashed worker was down — wins. The outbox row keyed by account + step +
     * cycle makes a retry find the earlier attempt instead of starting a second one.
     */
    async sendMessage(input: { accountId: string; messageId: string; now: Instant }): Promise<{ status: 'sent' | 'suppressed'; reason?: string }> {
      const decision = await db.transaction(async (tx) => {
        await tx.execute(sql`select id from ${t.accounts} where id = ${input.accountId} for update`);
        const [msg] = await tx.select().from(t.messages).where(eq(t.messages.id, input.messageId)).for('update');
        if (!msg) throw ApplicationFailure.create({ type: Errors.NoSuchDraft, message: `message ${input.messageId} does not exist`, nonRetryable: true });
        const key = `${msg.accountId}:${msg.stepId}:${msg.cycleKey}`;
        const [box] = await tx.select().from(t.outbox).where(eq(t.outbox.idempotencyKey, key));
        if (box?.status === 'sent') return { action: 'done' as const };
        if (box?.status === 'failed') return { action: 'skip' as const, reason: box.lastError ?? 'an earlier attempt was stopped' };
        if (msg.status !== 'approved') return { action: 'skip' as const, reason: `message is ${msg.status}` };

        const [account] = await tx.select().from(t.accounts).where(eq(t.accounts.id, msg.accountId));
        const owed = await tx
          .select({ balance: t.invoices.balanceCents })
          .from(t.invoices)
          .where(and(inArray(t.invoices.id, msg.invoiceIds), eq(t.invoices.status, 'open')));
        const stillOwed = owed.reduce((s, r) => s + r.balance, 0);
        const [dispute] = await tx.select({ id: t.disputes.id }).from(t.disputes).where(and(eq(t.disputes.accountId, msg.accountId), eq(t.disputes.status, 'open')));
        const reason =
          stillOwed === 0 ? 'paid before the send' : stillOwed !== msg.amountCents ? 'the balance changed before the send' : dispute ? 'a dispute is open' : account?.paused ? 'the account is paused' : null;
        if (reason) {
          await tx.update(t.messages).set({ status: 'suppressed', decisionReason: reason }).where(eq(t.messages.id, msg.id));
          if (box) await tx.update(t.outbox).set({ status: 'failed', lastError: reason }).where(eq(t.outbox.id, box.id));
          await appendEvent(tx, { accountId: msg.accountId, type: 'send.suppressed', actor: systemActor, data: { messageId: msg.id, stepId: msg.stepId, reason } });
          return { action: 'suppressed' as const, reason };
        }
        // Counted before the attempt, so an attempt killed mid-delivery still leaves its trace.
        const outboxId = box
          ? (await tx.update(t.outbox).set({ attempts: sql`${t.outbox.attempts} + 1` }).where(eq(t.outbox.id, box.id)).returning({ id: t.outbox.id }))[0].id
          : (
              await tx
                .insert(t.outbox)
                .values({ idempotencyKey: key, messageId: msg.id, accountId: msg.accountId, toEmail: msg.toEmail, subject: msg.subject, transport: mailer.transport, attempts: 1 })
                .returning({ id: t.outbox.id })
            )[0].id;
        return { action: 'deliver' as const, msg, outboxId, key };
      });

      if (decision.action === 'done') return { status: 'sent' };
      if (decision.action !== 'deliver') return { status: 'suppressed', reason: decision.reason };

      const { msg, outboxId, key } = decision;
      const sender = (await loadSettings(db)).sender_identity;
      let delivered: Awaited<ReturnType<Mailer['send']>>;
      try {
        delivered = await mailer.send({
          from: `${sender.name}, ${sender.company} <${sender.email}>`,
          to: msg.toEmail,
          subject: msg.subject,
          text: msg.bodyText,
          html: msg.bodyHtml,
          idempotencyKey: key,
        });
      } catch (err) {
        await db.update(t.outbox).set({ lastError: (err as Error).message.slice(0, 500) }).where(eq(t.outbox.id, outboxId));
        throw err;
      }
      // The mail is out: recording it must not fail into a retry that would send it again, so a
      // brief database hiccup is waited out here rather than thrown.
      await retryBriefly(() =>
        db.transaction(async (tx) => {
          const now = new Date(input.now);
          await tx
            .update(t.outbox)
            .set({ status: 'sent', sentAt: now, providerMessageId: delivered.providerMessageId, emlPath: delivered.emlPath ?? null, lastError: null })
            .where(eq(t.outbox.id, outboxId));
          await tx.update(t.messages).set({ status: 'sent', sentAt: now }).where(eq(t.messages.id, msg.id));
          await appendEvent(tx, {
            accountId: msg.accountId,
            type: 'message.sent',
            actor: systemActor,
            data: { messageId: msg.id, stepId: msg.stepId, to: msg.toEmail, subject: msg.subject, transport: mailer.transport, tone: msg.tone },
          });
        }),
      );
      return { status: 'sent' };
    },

    /** A step the workflow could not take (no contact to write to, a step missing from the policy). */
    async recordBlockedStep(input: { accountId: string; stepId: string; reason: string; now: Instant }): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.update(t.accounts).set({ nextAction: `blocked:${input.stepId}`, nextActionAt: null }).where(eq(t.accounts.id, input.accountId));
        await appendEvent(tx, { accountId: input.accountId, type: 'step.blocked', actor: systemActor, data: { stepId: input.stepId, reason: input.reason, at: input.now } });
      });
    },

    async createCallTask(input: { accountId: string; step: PlannedStep; at: Instant; now: Instant }): Promise<{ callTaskId: string }> {
      const loaded = await load(input.accountId, new Date(input.now));
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(t.callTasks)
          .values({ accountId: input.accountId, stepId: input.step.stepId, cycleKey: input.step.cycleKey, dueAt: new Date(input.at), createdAt: new Date(input.now) })
          .onConflictDoNothing()
          .returning({ id: t.callTasks.id });
        if (!row) {
          const [existing] = await tx
            .select({ id: t.callTasks.id })
            .from(t.callTasks)
            .where(and(eq(t.callTasks.accountId, input.accountId), eq(t.callTasks.stepId, input.step.stepId), eq(t.callTasks.cycleKey, input.step.cycleKey)));
          return { callTaskId: existing.id };
        }
        const sheet = buildCallSheet({ facts: loaded.facts, step: input.step, now: input.now });
        await tx.insert(t.callSheets).values({ callTaskId: row.id, version: 1, sheet, source: 'facts' });
        await appendEvent(tx, {
          accountId: input.accountId,
          type: 'call.created',
          actor: systemActor,
          data: { callTaskId: row.id, stepId: input.step.stepId, dueAt: input.at, balanceCents: input.step.balanceCents },
        });
        return { callTaskId: row.id };
      });
    },

    /** A caller's outcome: a promise or dispute becomes a fact, and the facts version moves on. */
    async recordCallOutcome(input: { accountId: string; outcome: CallOutcome; now: Instant }): Promise<{ factsVersion: number }> {
      const o = input.outcome;
      return db.transaction(async (tx) => {
        const [task] = await tx.select().from(t.callTasks).where(eq(t.callTasks.id, o.callTaskId)).for('update');
        if (!task) throw ApplicationFailure.create({ type: Errors.NoSuchCallTask, message: `call task ${o.callTaskId} does not exist`, nonRetryable: true });
        if (task.status !== 'open') {
          const [acc] = await tx.select({ v: t.accounts.factsVersion }).from(t.accounts).where(eq(t.accounts.id, input.accountId));
          return { factsVersion: acc.v };
        }
        const now = new Date(input.now);
        await tx
          .update(t.callTasks)
          .set({
            status: o.outcome === 'no_answer' ? 'open' : 'done',
            outcome: o.outcome,
            outcomeNotes: o.notes ?? null,
            promisedDate: o.outcome === 'promise' ? o.promisedDate : null,
            completedBy: userId(o.actor),
            completedAt: o.outcome === 'no_answer' ? null : now,
          })
          .where(eq(t.callTasks.id, task.id));
        if (o.outcome === 'promise') {
          await tx.insert(t.promises).values({ accountId: input.accountId, promisedDate: o.promisedDate, amountCents: o.amountCents ?? null, createdBy: userId(o.actor), createdAt: now });
          await appendEvent(tx, { accountId: input.accountId, type: 'promise.recorded', actor: toActor(o.actor), data: { promisedDate: o.promisedDate, amountCents: o.amountCents ?? null, via: 'call', callTaskId: task.id } });
        }
        if (o.outcome === 'dispute') {
          await tx.insert(t.disputes).values({ accountId: input.accountId, reason: o.reason, openedBy: userId(o.actor), openedAt: now }).onConflictDoNothing();
          await appendEvent(tx, { accountId: input.accountId, type: 'dispute.opened', actor: toActor(o.actor), data: { reason: o.reason, via: 'call', callTaskId: task.id } });
        }
        await appendEvent(tx, { accountId: input.accountId, type: 'call.logged', actor: toActor(o.actor), data: { callTaskId: task.id, outcome: o.outcome, notes: o.notes ?? null } });
        const [acc] = await tx
          .update(t.accounts)
          .set({ factsVersion: sql`${t.accounts.factsVersion} + 1`, updatedAt: now })
          .where(eq(t.accounts.id, input.accountId))
          .returning({ v: t.accounts.factsVersion });
        return { factsVersion: acc.v };
      });
    },

    /** Service pause and collections are never automatic: this only puts the question to a manager. */
    async recordRecommendation(input: { accountId: string; step: PlannedStep; now: Instant }): Promise<void> {
      const kind = input.step.kind === 'collections' ? 'collections' : 'service_pause';
      await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(t.recommendations)
          .values({ accountId: input.accountId, kind, cycleKey: input.step.cycleKey, balanceCents: input.step.balanceCents, daysOverdue: input.step.daysPastDue, createdAt: new Date(input.now) })
          .onConflictDoNothing()
          .returning({ id: t.recommendations.id });
        if (!row) return;
        await appendEvent(tx, {
          accountId: input.accountId,
          type: 'recommendation.created',
          actor: systemActor,
          data: { recommendationId: row.id, kind, balanceCents: input.step.balanceCents, daysOverdue: input.step.daysPastDue, decision: 'manager' },
        });
      });
    },
  };
}

export type AccountActivities = ReturnType<typeof createAccountActivities>;
