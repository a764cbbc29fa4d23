/**
 * A raw inbound message (from IMAP or a provider's webhook) parsed into what matching and the
 * classifiers read. mailparser turns an HTML-only body into text, with quoted blocks marked by `>`.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import { htmlToText } from '../../domain/replies/strip';

/** Raw messages larger than this are refused: no client writes a 10 MB answer to a reminder. */
export const MAX_RAW_BYTES = 10 * 1024 * 1024;

export interface ParsedReply {
  messageId: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  /** Lower-case names; the first occurrence of each, unfolded. */
  headers: Record<string, string>;
  date: Date | null;
  attachments: Array<{ filename: string | null; contentType: string; size: number }>;
}

export class ReplyTooLarge extends Error {
  override readonly name = 'ReplyTooLarge';
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? '')).filter(Boolean);

export async function parseReply(raw: Buffer | string): Promise<ParsedReply> {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > MAX_RAW_BYTES) throw new ReplyTooLarge(`message of ${size} bytes is over the ${MAX_RAW_BYTES}-byte limit`);
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const headers: Record<string, string> = {};
  for (const { key, line } of mail.headerLines) {
    if (key in headers) continue;
    headers[key] = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
  }
  const refs = mail.references === undefined ? [] : Array.isArray(mail.references) ? mail.references : [mail.references];
  // mailparser's own HTML-to-text runs table cells together ("Payment adviceVendor:"), so an
  // HTML-only message is read with ours, which keeps cells and quoted blocks apart.
  const rawText = typeof raw === 'string' ? raw : raw.toString('latin1');
  const htmlOnly = typeof mail.html === 'string' && !/^content-type:\s*text\/plain/im.test(rawText);
  const text = htmlOnly ? htmlToText(mail.html as string) : (mail.text ?? '');
  return {
    messageId: mail.messageId ?? null,
    from: addresses(mail.from)[0] ?? '',
    to: [...addresses(mail.to), ...addresses(mail.cc)],
    subject: mail.subject ?? '',
    text,
    inReplyTo: mail.inReplyTo ?? null,
    references: refs.flatMap((r) => r.split(/\s+/)).filter(Boolean),
    headers,
    date: mail.date ?? null,
    attachments: mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
  };
}
