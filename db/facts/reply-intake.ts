/**
 * Where a client's reply enters the facts, from whichever door it came in (the worker's IMAP reader, the
 * API's inbound-mail webhooks): parsed, matched
 * to its account, understood, decided on, recorded with its facts, and the account's workflow told.
 * The model classifier is used when configured; if it fails, the rules answer, so a reply is never
 * lost to an outage.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../client';
import { loadAccount } from '../account-facts';
import { recordReply, replyLookups, type RecordedReply, type ReplyChange } from '../replies';
import { decideReplyAction } from '../../domain/replies/action';
import { answerQuestion } from '../../domain/replies/answer';
import { matchReply } from '../../domain/replies/match';
import { classifyByRules } from '../../domain/replies/rules';
import { stripReply } from '../../domain/replies/strip';
import type { Understanding } from '../../domain/replies/types';
import type { FactsChanged } from '../../domain/messages';
import type { ReplyClassifier } from '../../domain/replies/types';
import { parseReply, ReplyTooLarge } from './reply-parse';

export interface ReplyHandlerDeps {
  db: Db;
  /** Our reply mailbox, e.g. ar@northwind.example: tokens are read from its plus-addresses. */
  mailbox: string;
  model?: ReplyClassifier;
  signal(accountId: string, signal: FactsChanged): Promise<void>;
  clock?: () => Date;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

export interface HandledReply extends RecordedReply {
  accountId: string | null;
  kind: Understanding['kind'] | null;
  action: string | null;
}

export function createReplyHandler(deps: ReplyHandlerDeps) {
  const clock = deps.clock ?? (() => new Date());
  const lookups = replyLookups(deps.db);

  const signalAll = async (changes: ReplyChange[]) => {
    for (const c of changes) {
      // The fact is committed; a failed signal is caught up by the reconciler, so it must not fail the reply.
      await deps.signal(c.accountId, { factsVersion: c.factsVersion, change: c.change, actor: { type: 'client' } }).catch((e: Error) => deps.log?.('signal failed', { accountId: c.accountId, error: e.message }));
    }
  };

  return {
    signalAll,
    async handle(raw: Buffer, source: string): Promise<HandledReply> {
      const now = clock();
      let parsed;
      try {
        parsed = await parseReply(raw);
      } catch (e) {
        if (e instanceof ReplyTooLarge) throw e;
        throw new Error(`not a readable email: ${(e as Error).message}`);
      }
      const match = await matchReply({ from: parsed.from, to: parsed.to, inReplyTo: parsed.inReplyTo, references: parsed.references }, deps.mailbox, lookups);
      const loaded = match.accountId ? await loadAccount(deps.db, match.accountId, now) : null;
      const ctx = { receivedAt: (parsed.date && parsed.date <= now ? parsed.date : now).toISOString(), timeZone: loaded?.facts.timeZone ?? 'UTC' };
      const text = { subject: parsed.subject, text: parsed.text, headers: parsed.headers };
      let understanding: Understanding;
      let classifier = 'rules';
      if (deps.model) {
        try {
          understanding = await deps.model.classify(text, ctx);
          classifier = deps.model.name;
        } catch (e) {
          deps.log?.('model classifier failed; the rules answer', { error: (e as Error).message });
          understanding = classifyByRules(text, ctx);
        }
      } else understanding = classifyByRules(text, ctx);

      const action = decideReplyAction({ understanding, match: match.quality, knownSender: match.knownSender });
      const answer = action.type === 'draft_answer' && loaded ? answerQuestion(action.topic, loaded.facts, loaded.settings, parsed.subject, stripReply(parsed.text).visible) : null;
      const recorded = await recordReply(deps.db, {
        source,
        raw,
        // Without a Message-ID the content identifies the message, so fetching it twice still records it once.
        messageId: parsed.messageId ?? `<sha256.${createHash('sha256').update(raw).digest('hex')}@tactful.invalid>`,
        fromEmail: parsed.from,
        subject: parsed.subject,
        receivedAt: parsed.date && parsed.date <= now ? parsed.date : now,
        visibleText: stripReply(parsed.text).visible,
        understanding,
        classifier,
        match,
        action,
        answerText: answer?.text ?? null,
      });
      await signalAll(recorded.changes);
      return { ...recorded, accountId: match.accountId, kind: understanding.kind, action: action.type };
    },
  };
}

export type ReplyHandler = ReturnType<typeof createReplyHandler>;
