/**
 * Auto-replies, recognised first by the headers RFC 3834 and common servers set, then by content:
 * an out-of-office answer must not be read as the client's own words, and must never be answered.
 */

export interface AutoReplySignal {
  auto: boolean;
  /** Which header or phrase said so, for the timeline. */
  because: string | null;
}

const CONTENT =
  /\b(out of (the )?office|ooo\b|on (annual |parental |maternity |paternity |sick )?leave|on vacation|on holiday|away from (my desk|the office)|limited (access to|connectivity|email)|automatic reply|auto(matic|mated)?[- ]?reply|this is an automated (message|response)|currently (away|out)|i am away|i'm away|i will be (out|away|back)|i'll be (out|away|back)|returning on|will return on|back in the office)\b/i;

/** `headers` keys are lower-case, as mailparser gives them. */
export function detectAutoReply(headers: Record<string, string>, subject: string, visible: string): AutoReplySignal {
  const auto = (headers['auto-submitted'] ?? '').trim().toLowerCase();
  if (auto && auto !== 'no') return { auto: true, because: `Auto-Submitted: ${auto}` };
  for (const h of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress']) {
    const v = headers[h];
    // Outlook sets X-Auto-Response-Suppress on ordinary mail too; only its "All"/"OOF" on a reply is a sign.
    if (v && (h !== 'x-auto-response-suppress' || /\b(all|oof)\b/i.test(v))) return { auto: true, because: `${h}: ${v}` };
  }
  const precedence = (headers['precedence'] ?? '').trim().toLowerCase();
  if (['auto_reply', 'bulk', 'junk', 'list'].includes(precedence)) return { auto: true, because: `Precedence: ${precedence}` };
  if (/^(auto(matic)?[ -]?reply|out of (the )?office|abwesenheitsnotiz|réponse automatique)\b/i.test(subject.trim()))
    return { auto: true, because: `subject "${subject.trim()}"` };
  const phrase = CONTENT.exec(visible);
  if (phrase && visible.length < 1200) return { auto: true, because: `"${phrase[0]}"` };
  return { auto: false, because: null };
}
