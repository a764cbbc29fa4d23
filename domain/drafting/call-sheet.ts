/**
 * The call-prep sheet a caller works from at the call step: who to call and when, what is owed, what
 * has happened so far, how to open, what to offer and what not to say. Pure: built from the account's
 * facts and "now", stored per call task under its version, printed on one page.
 */
import { DateTime } from 'luxon';
import type { AccountFacts, ContactFact, Instant, IsoDate, PaymentMethod } from '../facts';
import type { PlannedStep } from '../policy/types';
import { addDays, daysBetween, formatShortDate, localDate } from './context';
import { buildStatement, formatterFor, statementLocale } from './statement';

const statementLocaleOf = (facts: AccountFacts) => statementLocale(facts.country, facts.currency);
import type { LateFees } from '../settings';
import type { EarlierMessage } from './types';

export const CALL_SHEET_VERSION = 'call-sheet-v2';

export interface CallSheetInput {
  facts: AccountFacts;
  step: PlannedStep;
  now: Instant;
  /** Who is calling, and for which company: the opening names both. */
  caller: { name: string; company: string };
  /** Messages already sent with their subjects; without them the sheet lists the sent steps from the facts. */
  earlierMessages?: EarlierMessage[];
  lateFees?: LateFees;
}

export interface CallSheetRow {
  number: string;
  issueDate: IsoDate;
  dueDate: IsoDate;
  /** The dates as the client's locale writes them (a UK client's sheet reads 4 Dec 2026). */
  issued?: string;
  due?: string;
  state: 'overdue' | 'upcoming';
  daysPastDue: number;
  amount: string;
  balance: string;
}

export interface CallSheet {
  version: string;
  generatedAt: Instant;
  account: { name: string; segment: string; clientSince: IsoDate; tenure: string; paymentMethod: PaymentMethod };
  contact: ContactFact | null;
  otherContacts: ContactFact[];
  when: {
    timeZone: string;
    hours: string;
    localNow: string;
    callableNow: boolean;
    /** Start of the next calling window (now, when inside business hours). */
    nextWindowStart: Instant;
    nextWindowLocal: string;
  };
  owed: {
    rows: CallSheetRow[];
    /** What is owed in all; `overdue` and `upcoming` are its two parts, never to be confused. */
    totalCents: number;
    total: string;
    overdueCents: number;
    overdue: string;
    upcomingCents: number;
    upcoming: string;
    oldestDaysPastDue: number;
  };
  /** Nothing was written to the client in this cycle before the call. */
  firstContact: boolean;
  /** The facts version the sheet was built from, when the caller knows it: a newer one rebuilds it. */
  factsVersion?: number;
  history: { messages: string[]; promises: string[]; disputes: string[] };
  paymentHistory: string;
  flags: string[];
  opening: string;
  options: Array<{ label: string; detail: string }>;
  doNotSay: string[];
}

const WEEKDAY_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const METHOD_LABEL: Record<PaymentMethod, string> = { ach: 'ACH', card: 'card', check: 'check', wire: 'wire', other: 'other' };

export function buildCallSheet(input: CallSheetInput): CallSheet {
  const { facts, step, now } = input;
  const st = buildStatement({
    facts,
    step,
    now,
    payLink: '',
    sender: { name: input.caller.name, company: input.caller.company, email: '' },
    earlierMessages: input.earlierMessages ?? [],
    rules: { requiresPayLink: false, allowsConsequences: false, statesInterruption: false },
    lateFees: input.lateFees,
  });
  const f = formatterFor(st.locale);
  const cur = f.money;
  const short = f.shortDate;
  const tz = facts.timeZone;
  const today = st.sendDate;

  const withPhone = facts.contacts.find((c) => c.phone);
  const contact = withPhone ?? facts.contacts[0] ?? null;
  const totalCents = st.totalOwedCents;
  const rows: CallSheetRow[] = st.invoices.map((i) => ({
    number: i.number,
    issueDate: i.issueDate,
    dueDate: i.dueDate,
    issued: f.shortDate(i.issueDate),
    due: f.shortDate(i.dueDate),
    state: i.state,
    daysPastDue: i.daysPastDue,
    amount: cur(i.amountCents),
    balance: cur(i.balanceCents),
  }));
  const oldestDaysPastDue = st.maxDaysPastDue;

  const window = nextCallWindow(facts, now);
  const tenureYears = Math.floor(daysBetween(facts.clientSince, today) / 365);
  const tenure = tenureYears >= 1 ? `${tenureYears} year${tenureYears > 1 ? 's' : ''}` : `${Math.max(0, Math.floor(daysBetween(facts.clientSince, today) / 30))} months`;

  const messages = input.earlierMessages
    ? [...input.earlierMessages].sort((a, b) => a.sentAt.localeCompare(b.sentAt)).map((m) => `${short(localDate(m.sentAt, tz))}: ${m.subject}`)
    : [...facts.sent]
    .sort((a, b) => a.sentAt.localeCompare(b.sentAt))
    .map((s) => `${short(localDate(s.sentAt, tz))}: ${s.stepId.replace(/_/g, ' ')}${s.tone ? ` (${s.tone})` : ''}`);
  const promises = [...facts.promises]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map(
      (p) =>
        `${short(localDate(p.createdAt, tz))}: promised ${p.amountCents ? cur(p.amountCents) : 'payment'} by ${short(p.promisedDate)} (${p.status})`,
    );
  const invoiceNumber = new Map(facts.invoices.map((i) => [i.id, i.number]));
  const disputes = facts.disputes.map(
    (d) =>
      `${short(localDate(d.openedAt, tz))}: ${d.invoiceId ? `${invoiceNumber.get(d.invoiceId) ?? 'an invoice'}: ` : ''}${d.reason} (${d.status})`,
  );

  const openDisputes = facts.disputes.filter((d) => d.status === 'open');
  const broken = facts.promises.filter((p) => p.status === 'broken');
  const flags = [
    ...openDisputes.map((d) => `Open dispute${d.invoiceId ? ` on ${invoiceNumber.get(d.invoiceId) ?? 'an invoice'}` : ''}: ${d.reason}`),
    ...(broken.length ? [`${broken.length} broken promise${broken.length > 1 ? 's' : ''} to pay`] : []),
    ...(st.firstContact ? ['First contact this cycle: nothing has been written to the client about these invoices'] : []),
    ...(facts.segment === 'key_account' || facts.segment === 'sensitive' ? [`${facts.segment.replace('_', ' ')} account: keep a manager informed`] : []),
    ...step.sensitiveReasons,
  ];

  const firstName = contact?.name.split(/\s+/)[0] ?? 'there';
  const intro = `this is ${input.caller.name} from ${input.caller.company}`;
  const thanks = tenureYears >= 2 ? ` First, thank you for being with us for ${tenure}.` : '';
  const oldest = st.overdue[0];
  const nextUp = st.upcoming[0];
  const about =
    totalCents === 0
      ? `I'm calling to thank you: your account is settled, and nothing is owed.`
      : oldest
        ? `I'm calling about the ${cur(st.overdueCents)} overdue on your account; the oldest invoice, ${oldest.number}, is ${oldest.daysPastDue} day${oldest.daysPastDue === 1 ? '' : 's'} past due.` +
          (nextUp ? ` Separately, ${cur(st.upcomingCents)} is not yet due; the next invoice, ${nextUp.number}, falls due on ${short(nextUp.dueDate)}.` : '')
        : `I'm calling about the ${cur(totalCents)} coming due on your account, the first on ${short(nextUp!.dueDate)}.`;
  // Only this cycle's broken promise: an old one is history, not the reason for this call.
  const promiseLine = st.brokenPromise && totalCents > 0
    ? ` We had noted payment for ${short(st.brokenPromise.promisedDate)}, and I wanted to check what happened.`
    : '';
  const opening = `Hi ${firstName}, ${intro}.${thanks} ${about}${promiseLine} Is now a good moment to talk it through?`;

  const options: CallSheet['options'] = [];
  if (totalCents > 0) {
    options.push({ label: 'Pay in full now', detail: `${cur(totalCents)} through the pay link (we can email it while you are on the phone).` });
    options.push({ label: 'Commit to a date', detail: `${cur(totalCents)} by ${f.shortDate(addDays(today, 7))}; log it as a promise to pay.` });
    for (const parts of [2, 3]) {
      if (totalCents < parts * 10_000) continue;
      const plan = instalments(totalCents, parts).map((c, i) => `${cur(c)} by ${f.shortDate(addDays(today, 7 + 14 * i))}`);
      options.push({ label: `${parts} instalments`, detail: `${plan.join(', ')}. Log each as a promise.` });
    }
  }

  const doNotSay = [
    'Do not mention collections, legal action or credit reporting: only a manager decides a referral.',
    'Do not name a service interruption date other than one already sent in writing.',
    'Do not offer discounts, write-offs or fee waivers: they need a manager.',
    'Do not take card or bank details over the phone: send the pay link.',
    'Do not leave amounts or invoice details on voicemail: ask for a call back.',
    'Do not mention other clients.',
    ...openDisputes.map(
      (d) => `Do not press for payment of the disputed ${d.invoiceId ? invoiceNumber.get(d.invoiceId) ?? 'invoice' : 'amount'}: note the client's view and pass it on.`,
    ),
  ];

  return {
    version: CALL_SHEET_VERSION,
    generatedAt: now,
    account: { name: facts.name, segment: facts.segment, clientSince: facts.clientSince, tenure, paymentMethod: facts.paymentMethod },
    contact,
    otherContacts: facts.contacts.filter((c) => c !== contact),
    when: {
      timeZone: tz,
      hours: `${weekdayRanges(facts.businessHours.days)} ${facts.businessHours.start}–${facts.businessHours.end}`,
      localNow: DateTime.fromISO(now, { zone: 'utc' }).setZone(tz).setLocale('en-US').toFormat('ccc LLL d, HH:mm'),
      callableNow: window.callableNow,
      nextWindowStart: window.start,
      nextWindowLocal: DateTime.fromISO(window.start, { zone: 'utc' }).setZone(tz).setLocale('en-US').toFormat('ccc LLL d, HH:mm'),
    },
    owed: {
      rows,
      totalCents,
      total: cur(totalCents),
      overdueCents: st.overdueCents,
      overdue: cur(st.overdueCents),
      upcomingCents: st.upcomingCents,
      upcoming: cur(st.upcomingCents),
      oldestDaysPastDue,
    },
    firstContact: st.firstContact,
    history: { messages, promises, disputes },
    paymentHistory: paymentHistoryLine(facts, now),
    flags,
    opening,
    options,
    doNotSay,
  };
}

/** [1,2,3,4,5,7] → "Mon–Fri, Sun". */
function weekdayRanges(days: number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const d of sorted) {
    const run = runs[runs.length - 1];
    if (run && d === run[run.length - 1] + 1) run.push(d);
    else runs.push([d]);
  }
  return runs
    .map((r) => (r.length > 2 ? `${WEEKDAY_SHORT[r[0] - 1]}–${WEEKDAY_SHORT[r[r.length - 1] - 1]}` : r.map((d) => WEEKDAY_SHORT[d - 1]).join(', ')))
    .join(', ');
}

/** Splits a sum into `parts` whole-cent instalments; the remainder goes to the first. */
export function instalments(totalCents: number, parts: number): number[] {
  const base = Math.floor(totalCents / parts);
  return Array.from({ length: parts }, (_, i) => (i === 0 ? totalCents - base * (parts - 1) : base));
}

function nextCallWindow(facts: AccountFacts, now: Instant): { start: Instant; callableNow: boolean } {
  const tz = facts.timeZone;
  const at = DateTime.fromISO(now, { zone: 'utc' });
  const [sh, sm] = facts.businessHours.start.split(':').map(Number);
  const [eh, em] = facts.businessHours.end.split(':').map(Number);
  let day = at.setZone(tz).startOf('day');
  for (let i = 0; i < 21; i++, day = day.plus({ days: 1 })) {
    if (!facts.businessHours.days.includes(day.weekday) || facts.holidays.includes(day.toISODate() as string)) continue;
    const start = day.set({ hour: sh, minute: sm });
    const end = day.set({ hour: eh, minute: em });
    if (at >= end) continue;
    const callableNow = at >= start;
    return { start: (callableNow ? at : start).toUTC().toISO() as Instant, callableNow };
  }
  return { start: now, callableNow: false };
}

function paymentHistoryLine(facts: AccountFacts, now: Instant): string {
  const tz = facts.timeZone;
  const since = addDays(localDate(now, tz), -396);
  const paid = facts.invoices.filter((i) => i.status === 'paid' && i.paidAt && i.dueDate >= since);
  const late = paid.map((i) => daysBetween(i.dueDate, localDate(i.paidAt as string, tz))).filter((d) => d > 0);
  const parts: string[] = [];
  if (paid.length) {
    parts.push(`Paid ${paid.length - late.length} of ${paid.length} invoices on time in the last 13 months`);
    if (late.length) parts.push(`late ones averaged ${Math.round(late.reduce((s, d) => s + d, 0) / late.length)} days`);
  } else parts.push('No paid invoices in the last 13 months');
  const last = [...facts.payments].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))[0];
  const f = formatterFor(statementLocaleOf(facts));
  if (last) parts.push(`last payment ${f.money(last.amountCents)} on ${f.shortDate(localDate(last.receivedAt, tz))} by ${METHOD_LABEL[last.method]}`);
  const broken = facts.promises.filter((p) => p.status === 'broken').length;
  if (broken) parts.push(`${broken} broken promise${broken > 1 ? 's' : ''}`);
  return `${parts.join('; ')}.`;
}

// ---------------------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A self-contained HTML page that prints on one sheet. */
export function renderCallSheetHtml(sheet: CallSheet): string {
  const list = (items: string[], empty: string) => (items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : `<p class="muted">${esc(empty)}</p>`);
  const c = sheet.contact;
  const rows = sheet.owed.rows
    .map(
      (r) =>
        `<tr><td>${esc(r.number)}</td><td>${esc(r.issued ?? formatShortDate(r.issueDate))}</td><td>${esc(r.due ?? formatShortDate(r.dueDate))}</td><td class="n">${r.state === 'overdue' ? r.daysPastDue : 'not yet due'}</td><td class="n">${esc(r.amount)}</td><td class="n">${esc(r.balance)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Call prep: ${esc(sheet.account.name)}</title>
<style>
@page { size: letter; margin: 12mm; }
body { font: 11px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 16px; margin: 0 0 2px; } h2 { font-size: 12px; margin: 10px 0 3px; text-transform: uppercase; letter-spacing: .04em; color: #444; }
table { border-collapse: collapse; width: 100%; } th, td { padding: 2px 6px; border-bottom: 1px solid #ddd; text-align: left; } .n { text-align: right; }
ul { margin: 2px 0; padding-left: 16px; } p { margin: 2px 0; } .muted { color: #666; } .flags { color: #a40000; font-weight: 600; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 16px; } .opening { border-left: 3px solid #333; padding-left: 8px; }
</style></head><body>
<h1>Call prep: ${esc(sheet.account.name)}</h1>
<p class="muted">${esc(sheet.account.segment.replace('_', ' '))} · client for ${esc(sheet.account.tenure)} · pays by ${esc(sheet.account.paymentMethod)} · sheet ${esc(sheet.version)}</p>
${sheet.flags.length ? `<p class="flags">${sheet.flags.map(esc).join(' · ')}</p>` : ''}
<div class="grid"><div>
<h2>Who</h2>
<p>${c ? `<strong>${esc(c.name)}</strong>${c.role ? `, ${esc(c.role)}` : ''}<br>${esc(c.phone ?? 'no phone on file')} · ${esc(c.email)}` : 'No contact on file'}</p>
${sheet.otherContacts.length ? `<p class="muted">Also: ${sheet.otherContacts.map((o) => esc(`${o.name}${o.phone ? ` ${o.phone}` : ''}`)).join('; ')}</p>` : ''}
</div><div>
<h2>When</h2>
<p>${esc(sheet.when.hours)} (${esc(sheet.when.timeZone)})<br>Their time now: ${esc(sheet.when.localNow)} · ${sheet.when.callableNow ? 'inside business hours' : `next window ${esc(sheet.when.nextWindowLocal)}`}</p>
</div></div>
<h2>What is owed: ${esc(sheet.owed.total)}${sheet.owed.upcomingCents > 0 && sheet.owed.overdueCents > 0 ? ` (${esc(sheet.owed.overdue)} overdue, ${esc(sheet.owed.upcoming)} not yet due)` : ''}</h2>
<table><thead><tr><th>Invoice</th><th>Issued</th><th>Due</th><th class="n">Days late</th><th class="n">Amount</th><th class="n">Balance</th></tr></thead>
<tbody>${rows}</tbody><tfoot><tr><th colspan="5">Total</th><th class="n">${esc(sheet.owed.total)}</th></tr></tfoot></table>
<h2>Payment history</h2><p>${esc(sheet.paymentHistory)}</p>
<div class="grid"><div><h2>Messages sent</h2>${list(sheet.history.messages, 'None yet')}</div>
<div><h2>Promises and disputes</h2>${list([...sheet.history.promises, ...sheet.history.disputes], 'None')}</div></div>
<h2>Suggested opening</h2><p class="opening">${esc(sheet.opening)}</p>
<h2>Options to offer</h2>${list(sheet.options.map((o) => `${o.label}: ${o.detail}`), 'None')}
<h2>Do not say</h2>${list(sheet.doNotSay, '')}
</body></html>
`;
}
