/**
 * The reply side of the worker process: the IMAP reader (when a mailbox is configured) and the
 * sweep that ends reply holds — "already paid" at its deadline or when the payment is seen, out of
 * office on the return date, an unconfirmed promise after its date.
 */
import type { Db } from '../../db/client';
import { settleReplyHolds } from '../../db/replies';
import type { FactsChanged } from '../../domain/messages';
import { createReplyHandler } from '../../db/facts/reply-intake';
import { createImapReader, type ImapReader, type ImapReaderConfig } from './imap-reader';
import { createModelClassifier, type ModelClassifierConfig } from './model-classifier';

export interface ReplyServiceConfig {
  mailbox: string;
  imap?: ImapReaderConfig;
  model?: ModelClassifierConfig;
  holdCheckMs: number;
}

type Log = (msg: string, data?: Record<string, unknown>) => void;

export function startReplyService(db: Db, config: ReplyServiceConfig, signal: (accountId: string, s: FactsChanged) => Promise<void>, log: Log) {
  const handler = createReplyHandler({ db, mailbox: config.mailbox, model: config.model ? createModelClassifier(config.model) : undefined, signal, log });
  const reader: ImapReader | null = config.imap ? createImapReader(config.imap, handler, log) : null;
  const sweep = async () => {
    try {
      await handler.signalAll(await settleReplyHolds(db, new Date()));
    } catch (e) {
      log('reply hold sweep failed; next round retries', { error: (e as Error).message });
    }
  };
  const timer = setInterval(() => void sweep(), config.holdCheckMs);
  timer.unref();
  void sweep();
  if (reader) void reader.start().catch((e: Error) => log('imap reader could not start; it retries on its poll', { error: e.message }));
  return {
    handler,
    async stop() {
      clearInterval(timer);
      await reader?.stop();
    },
  };
}
