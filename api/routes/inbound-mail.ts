/**
 * Client replies posted by inbound-parse providers (Postmark, Mailgun). Mounted beside the route
 * table, like the health checks, because the bodies are the providers' own (multipart, their JSON)
 * and the caller is authenticated by the provider's signature or credentials, not by a user or token.
 * A verified message is handled exactly as one read over IMAP; a refused one is recorded as refused.
 */
import express, { type Express, type Request, type Response } from 'express';
import { appendEvent } from '../../db/events';
import { createReplyHandler } from '../../db/facts/reply-intake';
import { InboundRefused, checkPostmarkCredentials, mailgunInbound, postmarkInbound } from '../inbound-mail/providers';
import { MAX_RAW_BYTES, ReplyTooLarge } from '../../db/facts/reply-parse';
import { noiseFor } from '../auth/noise';
import type { AppDeps } from '../deps';

export function mountInboundMail(app: Express, deps: AppDeps): void {
  const cfg = deps.config.inboundMail;
  const handler = cfg
    ? createReplyHandler({
        db: deps.db.db,
        mailbox: cfg.mailbox,
        clock: deps.clock,
        signal: (accountId, signal) => deps.temporal.factsChanged(accountId, signal),
        log: (msg, data) => deps.logger.warn(data ?? {}, msg),
      })
    : null;
  const raw = express.raw({ type: () => true, limit: MAX_RAW_BYTES + 1024 * 1024 });

  const notConfigured = (res: Response) =>
    void res.status(503).type('application/problem+json').json({ type: 'about:blank', title: 'Inbound mail not configured', status: 503, detail: 'Set REPLY_MAILBOX and the provider credentials.' });
  // What can be refused without the body is refused before it is read: anonymous posts cost no parsing.
  const gate = (provider: 'postmark' | 'mailgun', check: (req: Request) => void) => async (req: Request, res: Response, next: () => void) => {
    if (!handler) return notConfigured(res);
    try {
      check(req);
    } catch (e) {
      return refuse(provider, e, req, res);
    }
    next();
  };
  const accept = (provider: 'postmark' | 'mailgun', toMessage: (req: Request) => Promise<Buffer>) => async (req: Request, res: Response) => {
    if (!handler) return notConfigured(res);
    try {
      const message = await toMessage(req);
      const r = await handler.handle(message, provider);
      res.status(200).json({ received: true, duplicate: r.duplicate, replyId: r.replyId, status: r.status });
    } catch (e) {
      await refuse(provider, e, req, res);
    }
  };
  const refuse = async (provider: 'postmark' | 'mailgun', e: unknown, req: Request, res: Response) => {
    const status = e instanceof InboundRefused ? e.status : e instanceof ReplyTooLarge ? 413 : e instanceof Error && /not a readable email/.test(e.message) ? 400 : 500;
    // Anyone can post here: refusals are recorded, a few per address per minute (api/auth/noise.ts).
    if (status === 401 && noiseFor(deps.config).audit.admit(`inbound:${req.ip ?? '?'}`, deps.clock().getTime()) === 'record') await appendEvent(deps.db.db, { type: 'inbound_mail.refused', actor: { type: 'integration', name: provider }, data: { reason: (e as Error).message, ip: req.ip ?? null } }).catch(() => undefined);
    if (status === 500) deps.logger.error({ err: e }, 'inbound reply could not be handled; the provider will retry');
    // A 5xx makes the provider retry later; the Message-ID makes a retry of a handled message a no-op.
    res.status(status).type('application/problem+json').json({ type: 'about:blank', title: status === 401 ? 'Not accepted' : status === 500 ? 'Could not handle the reply' : 'Bad inbound message', status, detail: status === 500 ? 'try again later' : (e as Error).message });
  };

  app.post(
    '/api/inbound/postmark',
    gate('postmark', (req) => {
      if (!cfg?.postmark) throw new InboundRefused(401, 'Postmark inbound is not configured (POSTMARK_INBOUND_USER/PASSWORD)');
      checkPostmarkCredentials(req.headers.authorization, cfg.postmark);
    }),
    raw,
    accept('postmark', async (req) => {
      let body: unknown;
      try {
        body = JSON.parse((req.body as Buffer).toString('utf8'));
      } catch {
        throw new InboundRefused(400, 'the body is not JSON');
      }
      if (!cfg?.postmark) throw new InboundRefused(401, 'Postmark inbound is not configured (POSTMARK_INBOUND_USER/PASSWORD)');
      return postmarkInbound(body, req.headers.authorization, cfg.postmark);
    }),
  );
  app.post(
    '/api/inbound/mailgun',
    gate('mailgun', () => {
      if (!cfg?.mailgunSigningKey) throw new InboundRefused(401, 'Mailgun inbound is not configured (MAILGUN_SIGNING_KEY)');
    }),
    raw,
    accept('mailgun', async (req) => {
      if (!cfg?.mailgunSigningKey) throw new InboundRefused(401, 'Mailgun inbound is not configured (MAILGUN_SIGNING_KEY)');
      return mailgunInbound(req.headers['content-type'] ?? '', req.body as Buffer, cfg.mailgunSigningKey, deps.clock());
    }),
  );
}
