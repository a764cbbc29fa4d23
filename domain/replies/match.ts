/**
 * Which account a reply belongs to: the message it answers (In-Reply-To, then References), then the
 * per-account token in the address it was sent to, then the sender among the accounts' contacts.
 * More than one candidate at a level is ambiguous and goes to a person; nothing is guessed.
 */
import type { MatchQuality } from './action';

export interface ReplyAddressing {
  from: string;
  to: string[];
  inReplyTo: string | null;
  references: string[];
}

export interface MatchLookups {
  /** Our sent Message-IDs (angle brackets included) → account. */
  accountsForMessageIds(ids: string[]): Promise<Map<string, string>>;
  accountForToken(token: string): Promise<string | null>;
  accountsForContact(email: string): Promise<string[]>;
}

export interface ReplyMatch {
  accountId: string | null;
  quality: MatchQuality;
  /** The sender is a contact of the matched account. */
  knownSender: boolean;
  candidates: string[];
}

export const normalizeAddress = (a: string) => (/<([^>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase();

/** A token is letters and digits after the plus: ar+k7f3q2@example.com → k7f3q2. */
export function tokenFrom(address: string, mailbox: string): string | null {
  const [local, domain] = normalizeAddress(address).split('@');
  const [ourLocal, ourDomain] = mailbox.toLowerCase().split('@');
  if (!local || domain !== ourDomain) return null;
  const m = /^([^+]+)\+([a-z0-9]{6,40})$/.exec(local);
  return m && m[1] === ourLocal ? m[2] : null;
}

export async function matchReply(r: ReplyAddressing, mailbox: string, lookups: MatchLookups): Promise<ReplyMatch> {
  const sender = normalizeAddress(r.from);
  const contactAccounts = await lookups.accountsForContact(sender);
  const done = (accountId: string | null, quality: MatchQuality, candidates: string[]): ReplyMatch => ({
    accountId,
    quality,
    knownSender: accountId !== null && contactAccounts.includes(accountId),
    candidates,
  });

  const ids = [r.inReplyTo, ...[...r.references].reverse()].filter((x): x is string => !!x);
  if (ids.length) {
    const found = await lookups.accountsForMessageIds(ids);
    const direct = r.inReplyTo ? found.get(r.inReplyTo) : undefined;
    if (direct) return done(direct, 'thread', [direct]);
    const accounts = [...new Set(found.values())];
    if (accounts.length === 1) return done(accounts[0], 'thread', accounts);
    if (accounts.length > 1) return done(null, 'ambiguous', accounts);
  }

  const tokens = [...new Set(r.to.map((a) => tokenFrom(a, mailbox)).filter((t): t is string => !!t))];
  const byToken = [...new Set((await Promise.all(tokens.map((t) => lookups.accountForToken(t)))).filter((a): a is string => !!a))];
  if (byToken.length === 1) return done(byToken[0], 'token', byToken);
  if (byToken.length > 1) return done(null, 'ambiguous', byToken);

  if (contactAccounts.length === 1) return done(contactAccounts[0], 'contact', contactAccounts);
  if (contactAccounts.length > 1) return done(null, 'ambiguous', contactAccounts);
  return done(null, 'unmatched', []);
}
