/**
 * Reads the reply mailbox over IMAP: everything in the inbox is new (what was handled has been moved
 * out), each message is handled and then moved to a folder named by its outcome, so the mailbox itself
 * shows what happened. IDLE wakes the reader when mail arrives; a poll runs as well, for servers
 * without IDLE and for a connection that silently died. A message that cannot be read goes to an
 * "Unreadable" folder — kept, never deleted; a database or network failure leaves it in the inbox
 * for the next pass, and the Message-ID makes that pass find it already recorded.
 */
import { ImapFlow } from 'imapflow';
import type { ReplyHandler } from '../../db/facts/reply-intake';
import { ReplyTooLarge } from '../../db/facts/reply-parse';

export interface ImapReaderConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  pollMs: number;
  /** Folder prefix for outcomes, e.g. "Tactful" → Tactful/Handled, Tactful/Needs a person … */
  folderPrefix: string;
}

export const outcomeFolders = {
  handled: 'Handled',
  person: 'Needs a person',
  auto: 'Auto-replies',
  unreadable: 'Unreadable',
} as const;

export interface ImapReader {
  start(): Promise<void>;
  /** One pass over the inbox; resolves with how many messages it moved. */
  pass(): Promise<number>;
  stop(): Promise<void>;
}

type Log = (msg: string, data?: Record<string, unknown>) => void;

export function createImapReader(config: ImapReaderConfig, handler: ReplyHandler, log: Log = () => {}): ImapReader {
  let client: ImapFlow | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;
  const folder = (name: string) => `${config.folderPrefix}/${name}`;

  const connect = async (): Promise<ImapFlow> => {
    if (client?.usable) return client;
    const c = new ImapFlow({ host: config.host, port: config.port, secure: config.secure, auth: { user: config.user, pass: config.pass }, logger: false, emitLogs: false });
    c.on('error', (e: Error) => log('imap connection error', { error: e.message }));
    // New mail while idling: run a pass (queued behind one already running).
    c.on('exists', () => void trigger());
    await c.connect();
    const existing = new Set((await c.list()).map((b) => b.path));
    for (const f of Object.values(outcomeFolders)) if (!existing.has(folder(f))) await c.mailboxCreate(folder(f)).catch(() => undefined);
    await c.mailboxOpen(config.mailbox);
    client = c;
    return c;
  };

  const onePass = async (): Promise<number> => {
    const c = await connect();
    let moved = 0;
    const lock = await c.getMailboxLock(config.mailbox);
    try {
      const uids = (await c.search({ all: true }, { uid: true })) || [];
      for (const uid of uids) {
        const msg = await c.fetchOne(String(uid), { source: true }, { uid: true });
        if (!msg || !msg.source) continue;
        let target: string;
        try {
          const r = await handler.handle(msg.source, 'imap');
          target = r.status === 'waiting' ? outcomeFolders.person : r.action === 'ignore_auto_reply' ? outcomeFolders.auto : outcomeFolders.handled;
          log('reply handled', { uid, replyId: r.replyId, duplicate: r.duplicate, kind: r.kind, action: r.action, status: r.status });
        } catch (e) {
          if (e instanceof ReplyTooLarge || /not a readable email/.test((e as Error).message)) {
            target = outcomeFolders.unreadable;
            log('reply unreadable; kept in its folder', { uid, error: (e as Error).message });
          } else throw e;
        }
        await c.messageMove(String(uid), folder(target), { uid: true });
        moved++;
      }
    } finally {
      lock.release();
    }
    return moved;
  };

  const trigger = async (): Promise<number> => {
    if (stopped) return 0;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        try {
          total += await onePass();
        } catch (e) {
          log('imap pass failed; will retry', { error: (e as Error).message });
          client?.close();
          client = null;
        }
      } while (again && !stopped);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    async start() {
      await trigger();
      timer = setInterval(() => void trigger(), config.pollMs);
      timer.unref();
    },
    pass: trigger,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      await client?.logout().catch(() => undefined);
      client = null;
    },
  };
}
