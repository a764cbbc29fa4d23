/**
 * The part of a reply its sender wrote now: quoted earlier messages, attribution lines, signatures,
 * disclaimers and phone footers removed. Handles top-posting (the answer above the quote),
 * bottom-posting and interleaving (answers between `>` lines) and Outlook's unquoted original below a
 * `From:/Sent:` block. A forwarded message with no note of its own is read from the forwarded body.
 * Pure and line-based, like email-reply-parser, which cannot be used here: it is ESM-only and loads a
 * Node module, and domain/ must stay importable by workflows.
 */

const ATTRIBUTION = /^(on\b.{0,300}\bwrote:|le\b.{0,200}\ba écrit\s*:|am\b.{0,200}\bschrieb\b.{0,100}:)\s*$/i;
const ORIGINAL = /^\s*-{2,}\s*(original message|original|reply message)\s*-{2,}\s*$/i;
const FORWARDED = /^\s*(-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:)\s*$/i;
const OUTLOOK_RULE = /^\s*_{10,}\s*$/;
const HEADER_LINE = /^\s*\*?(from|sent|date|to|cc|subject)\s*:\*?\s*/i;
const SIG_DELIMITER = /^--\s*$/;
const MOBILE = /^\s*(sent from my \w+|sent from (outlook|mail) for \w+|get outlook for \w+|sent from yahoo mail)/i;
const CLOSING = /^\s*(thanks( again| so much)?|thank you( very much)?|many thanks|regards|best( regards| wishes)?|kind regards|warm regards|cheers|sincerely|respectfully|br|thx|ty|all the best)\s*[,.!-]?\s*$/i;
const DISCLAIMER =
  /^\s*(confidentiality( notice)?|disclaimer|notice|privileged|caution)\s*:|^\s*this (e-?mail|message|communication)( and any (files|attachments)[^.]*)? (is|are|may (be|contain)|contains?|is intended)\b.*(confidential|privileged|intended)|^\s*if you (are not|have received this)/i;

export interface StrippedReply {
  /** What the sender wrote now; what the classifiers read. */
  visible: string;
  /** Everything removed, kept for the timeline. */
  removed: string;
  forwarded: boolean;
}

const isOutlookHeaderAt = (lines: string[], i: number): boolean => {
  if (!/^\s*\*?from\s*:/i.test(lines[i])) return false;
  const next = lines.slice(i + 1, i + 6).filter((l) => HEADER_LINE.test(l));
  return next.length >= 2;
};

const isAttributionAt = (lines: string[], i: number): number => {
  // Mail clients wrap a long "On <date>, <name> <addr> wrote:" over two or three lines.
  for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
    const joined = lines.slice(i, i + span).join(' ').trim();
    if (ATTRIBUTION.test(joined)) return span;
    if (!/^(on|le|am)\b/i.test(lines[i].trim())) return 0;
  }
  return 0;
};

/** Removes signature, mobile footer and disclaimer from the end of what the sender wrote. */
function trimSignature(lines: string[]): { kept: string[]; removed: string[] } {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (SIG_DELIMITER.test(line) || MOBILE.test(line) || DISCLAIMER.test(line)) return { kept: lines.slice(0, i), removed: lines.slice(i) };
    // A closing word on its own line ends the message when only a short block (name, title, phone) follows.
    if (CLOSING.test(line)) {
      const rest = lines.slice(i + 1).filter((l) => l.trim());
      if (rest.length <= 8 && rest.every((l) => l.trim().length < 80 && !/[.?!]\s*\S+.*[.?!]\s*$/.test(l.trim())))
        return { kept: lines.slice(0, i), removed: lines.slice(i) };
    }
  }
  return { kept: lines, removed: [] };
}

export function stripReply(text: string): StrippedReply {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ').split('\n');
  const kept: string[] = [];
  const removed: string[] = [];
  let forwardedFrom = -1;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (FORWARDED.test(line)) {
      forwardedFrom = i;
      removed.push(...lines.slice(i));
      break;
    }
    if (ORIGINAL.test(line) || OUTLOOK_RULE.test(line) || isOutlookHeaderAt(lines, i)) {
      removed.push(...lines.slice(i));
      break;
    }
    const span = isAttributionAt(lines, i);
    if (span) {
      removed.push(...lines.slice(i, i + span));
      i += span - 1;
      continue;
    }
    if (/^\s*>/.test(line)) {
      removed.push(line);
      continue;
    }
    kept.push(line);
  }

  const { kept: body, removed: signature } = trimSignature(kept);
  let visible = body.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  let forwarded = false;

  // "FYI — see below" over a forwarded message: the forwarded body is what the client is telling us.
  if (forwardedFrom >= 0 && visible.replace(/\b(fyi|see below|please see (below|attached)|fwd?|forwarding)\b|[\s.:,!-]/gi, '').length < 20) {
    const inner = lines.slice(forwardedFrom + 1);
    let start = 0;
    while (start < inner.length && (HEADER_LINE.test(inner[start]) || !inner[start].trim())) start++;
    const nested = stripReply(inner.slice(start).join('\n'));
    visible = [visible, nested.visible].filter(Boolean).join('\n\n');
    forwarded = true;
  }
  return { visible, removed: [...signature, ...removed].join('\n').trim(), forwarded };
}

/** A plain-text reading of an HTML-only body: enough for classification, not for display. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<blockquote[\s\S]*?<\/blockquote>/gi, (q) => q.replace(/<br\s*\/?>|<\/(p|div)>/gi, '\n').replace(/<[^>]+>/g, '').split('\n').map((l) => `> ${l}`).join('\n'))
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h\d|table)>/gi, '\n')
    .replace(/<\/(td|th)>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
