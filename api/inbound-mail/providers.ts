/**
 * Inbound-parse webhooks: what Postmark and Mailgun post when mail reaches an address they host,
 * verified and turned back into the raw RFC 5322 message the reader handles like any other.
 *
 * - Postmark posts JSON (https://postmarkapp.com/developer/webhooks/inbound-webhook) and signs
 *   nothing; it is authenticated by the HTTP Basic credentials put in the webhook URL. With "include
 *   raw email" on, `RawEmail` is the message itself; otherwise it is rebuilt from the parsed fields.
 * - Mailgun's routes post multipart/form-data or urlencoded fields, signed with the account's
 *   webhook signing key: signature = hex(HMAC-SHA256(key, timestamp + token)). A `body-mime` field
 *   (the `.../mime` route URL) is the raw message; otherwise it is rebuilt from the fields.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

export class InboundRefused extends Error {
  override readonly name = 'InboundRefused';
  constructor(
    readonly status: 401 | 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Headers a rebuilt message keeps: threading and auto-reply signals, nothing else. */
const KEPT_HEADERS = /^(message-id|in-reply-to|references|auto-submitted|x-autoreply|x-autorespond|precedence|x-auto-response-suppress|date)$/i;

async function rebuild(m: { from: string; to: string; subject: string; text?: string; html?: string; headers: Array<[string, string]> }): Promise<Buffer> {
  const headers = m.headers.filter(([k]) => KEPT_HEADERS.test(k));
  const get = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1];
  return new MailComposer({
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text || undefined,
    html: m.html || undefined,
    messageId: get('message-id'),
    inReplyTo: get('in-reply-to'),
    references: get('references'),
    date: get('date') ? new Date(get('date')!) : undefined,
    headers: headers.filter(([k]) => !/^(message-id|in-reply-to|references|date)$/i.test(k)).map(([key, value]) => ({ key, value })),
  })
    .compile()
    .build();
}

/** Postmark's Basic credentials, checkable before the body is read. */
export function checkPostmarkCredentials(authorization: string | undefined, credentials: { user: string; pass: string }): void {
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.pass}`).toString('base64')}`;
  if (!authorization || !same(authorization, expected)) throw new InboundRefused(401, 'the Basic credentials in the webhook URL do not match');
}

export async function postmarkInbound(body: unknown, authorization: string | undefined, credentials: { user: string; pass: string }): Promise<Buffer> {
  checkPostmarkCredentials(authorization, credentials);
  if (!body || typeof body !== 'object') throw new InboundRefused(400, 'expected Postmark inbound JSON');
  const b = body as Record<string, unknown>;
  if (typeof b.RawEmail === 'string' && b.RawEmail.length) return Buffer.from(b.RawEmail, 'utf8');
  if (typeof b.From !== 'string' || typeof b.Subject !== 'string') throw new InboundRefused(400, 'Postmark inbound JSON needs From and Subject (or RawEmail)');
  const headers = Array.isArray(b.Headers) ? (b.Headers as Array<{ Name?: unknown; Value?: unknown }>).filter((h) => typeof h.Name === 'string' && typeof h.Value === 'string').map((h) => [h.Name, h.Value] as [string, string]) : [];
  if (typeof b.MessageID === 'string' && !headers.some(([k]) => /^message-id$/i.test(k))) headers.push(['Message-ID', `<${b.MessageID}>`]);
  if (typeof b.Date === 'string') headers.push(['Date', b.Date]);
  return rebuild({
    from: typeof b.FromFull === 'object' && b.FromFull && typeof (b.FromFull as { Email?: unknown }).Email === 'string' ? (b.FromFull as { Email: string }).Email : b.From,
    to: typeof b.OriginalRecipient === 'string' ? b.OriginalRecipient : typeof b.To === 'string' ? b.To : '',
    subject: b.Subject,
    text: typeof b.TextBody === 'string' ? b.TextBody : undefined,
    html: typeof b.HtmlBody === 'string' ? b.HtmlBody : undefined,
    headers,
  });
}

/** multipart/form-data or urlencoded fields; binary-safe for the raw message. */
export function formFields(contentType: string, raw: Buffer): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) fields.set(k, Buffer.from(v, 'utf8'));
    return fields;
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !boundary) throw new InboundRefused(400, 'expected multipart/form-data or urlencoded fields');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) break;
    const part = raw.subarray(start + 2, next - 2); // after CRLF, before the CRLF that precedes the delimiter
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = part.subarray(0, split).toString('utf8');
      const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1];
      if (name && !fields.has(name)) fields.set(name, part.subarray(split + 4));
    }
    at = next;
  }
  return fields;
}

export async function mailgunInbound(contentType: string, raw: Buffer, signingKey: string, now: Date, toleranceMs = 5 * 60_000): Promise<Buffer> {
  const f = formFields(contentType, raw);
  const get = (k: string) => f.get(k)?.toString('utf8');
  const timestamp = get('timestamp');
  const token = get('token');
  const signature = get('signature');
  if (!timestamp || !token || !signature) throw new InboundRefused(401, 'the Mailgun signature fields (timestamp, token, signature) are missing');
  const expected = createHmac('sha256', signingKey).update(timestamp + token).digest('hex');
  if (!same(signature, expected)) throw new InboundRefused(401, 'the Mailgun signature does not match');
  if (Math.abs(now.getTime() - Number(timestamp) * 1000) > toleranceMs) throw new InboundRefused(401, 'the Mailgun timestamp is too old or in the future');
  const mime = f.get('body-mime');
  if (mime?.length) return mime;
  const from = get('from') ?? get('sender');
  if (!from) throw new InboundRefused(400, 'Mailgun fields need from (or body-mime)');
  let headers: Array<[string, string]> = [];
  try {
    headers = (JSON.parse(get('message-headers') ?? '[]') as unknown[]).filter((h): h is [string, string] => Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string');
  } catch {
    throw new InboundRefused(400, 'message-headers is not JSON');
  }
  for (const k of ['Message-Id', 'In-Reply-To', 'References'])
    if (get(k) && !headers.some(([n]) => n.toLowerCase() === k.toLowerCase())) headers.push([k, get(k)!]);
  return rebuild({ from, to: get('recipient') ?? get('To') ?? '', subject: get('subject') ?? '', text: get('body-plain'), html: get('body-html'), headers });
}
