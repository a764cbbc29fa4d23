/**
 * Checks what a draft actually says — the subject and both bodies, not only the claims the drafter
 * declares — against the account's facts and the step's rules. A draft that fails never goes out as is.
 */
import { DateTime } from 'luxon';
import type { IsoDate } from '../facts';
import { buildDraftContext, formatDate, formatMoney, minorUnitDigits } from './context';
import type { DraftContext, LanguagePermissions } from './context';
import type { DraftInput, DraftOutput, FactCheckCategory, FactCheckIssue, FactCheckResult } from './types';

type Checked = Pick<DraftOutput, 'subject' | 'bodyText' | 'bodyHtml'> & { claims?: DraftOutput['claims'] };

export function factCheck(draft: Checked, input: DraftInput): FactCheckResult {
  const ctx = buildDraftContext(input);
  const issues: FactCheckIssue[] = [];
  const add = (category: FactCheckCategory, message: string) => {
    if (!issues.some((i) => i.message === message)) issues.push({ category, message });
  };

  if (!draft.subject.trim()) add('required', 'the subject is empty');
  if (!draft.bodyText.trim()) add('required', 'the text body is empty');
  checkHtml(draft.bodyHtml, add);

  const htmlText = htmlToText(draft.bodyHtml);
  // Names and the remittance address are the account's own words: "Final Solutions LLC" or
  // "Suite #200" are not claims about money or consequences.
  const rawText = [draft.subject, draft.bodyText, htmlText].join('\n\n');
  const text = scrubKnownNames(rawText, input);

  for (const m of findAmounts(text, ctx.currency)) {
    if (!ctx.allowedAmounts.has(m.cents))
      add('amount', `mentions ${m.raw.trim()}, which is not an open balance, an invoice amount or the total owed (${formatMoney(ctx.totalCents, ctx.currency)})`);
  }
  for (const n of findInvoiceNumbers(text, ctx)) checkInvoiceNumber(n, ctx, add, '');
  for (const d of findDates(text)) {
    if (!d.valid) add('date', `mentions "${d.raw}", which is not a real date`);
    else if (!isAllowedDate(d, ctx)) add('date', `mentions the date "${d.raw}", which is not a due date, promised date or deadline of this account`);
    else if (d.weekday && d.year && DateTime.fromObject({ year: d.year, month: d.month, day: d.day }).weekday !== d.weekday)
      add('date', `"${d.raw}" names the wrong day of the week`);
  }
  for (const link of findLinks(rawText)) {
    if (!sameLink(link, input.payLink)) add('link', `contains the link ${link}, which is not this account's pay link`);
  }
  for (const href of findHrefs(draft.bodyHtml)) {
    if (!sameLink(href, input.payLink) && href.toLowerCase() !== `mailto:${input.sender.email.toLowerCase()}`)
      add('link', `links to ${href}, which is not this account's pay link`);
  }

  for (const hit of forbiddenLanguage(text, ctx.permissions)) add('language', hit);
  for (const issue of untrueOfStatement(text, ctx)) add(issue.category, issue.message);

  if (input.rules.requiresPayLink) {
    if (!draft.bodyText.includes(input.payLink)) add('required', 'the text body does not contain the pay link');
    if (!findHrefs(draft.bodyHtml).some((h) => sameLink(h, input.payLink))) add('required', 'the HTML body does not link to the pay link');
  }
  if (ctx.totalCents > 0 && !findAmounts(text, ctx.currency).some((m) => m.cents === ctx.totalCents))
    add('required', `does not state the total owed, ${formatMoney(ctx.totalCents, ctx.currency)}`);
  // A first contact is written as a reminder whatever its step, so it has no interruption date to state.
  if (ctx.permissions.interruption && input.step.kind === 'final_notice' && ctx.interruptionDate && !ctx.statement.firstContact) {
    if (!findDates(text).some((d) => d.iso === ctx.interruptionDate))
      add('required', `does not state the service interruption date, ${formatDate(ctx.interruptionDate)}`);
  }

  if (draft.claims) {
    for (const c of draft.claims.amountsCents)
      if (!ctx.allowedAmounts.has(c)) add('claims', `claims an amount of ${formatMoney(c, ctx.currency)} that is not in the account's facts`);
    for (const n of draft.claims.invoiceNumbers) checkInvoiceNumber(n, ctx, add, 'claims ');
    for (const d of draft.claims.dates)
      if (!ctx.allowedDates.has(d)) add('claims', `claims the date ${d}, which is not a date of this account`);
    for (const l of draft.claims.links) if (!sameLink(l, input.payLink)) add('claims', `claims the link ${l}, which is not the pay link`);
  }

  return { passed: issues.length === 0, failures: issues.map((i) => i.message), issues };
}

function scrubKnownNames(text: string, input: DraftInput): string {
  const known = [
    input.sender.name,
    input.sender.company,
    input.sender.email,
    ...(input.sender.remittanceAddress ?? []),
    input.facts.name,
    ...input.facts.contacts.map((c) => c.name),
  ]
    .map((s) => s.trim())
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const k of known) out = out.split(k).join(' ');
  return out;
}

function checkInvoiceNumber(n: string, ctx: DraftContext, add: (c: FactCheckCategory, m: string) => void, prefix: string) {
  const key = n.toUpperCase();
  if (ctx.openNumbers.has(key) || ctx.acknowledgedNumbers.has(key)) return;
  if (ctx.knownNumbers.has(key)) add(prefix ? 'claims' : 'invoice', `${prefix}mentions invoice ${n}, which is not open`);
  else add(prefix ? 'claims' : 'invoice', `${prefix}mentions invoice ${n}, which is not one of this account's invoices`);
}

// ---------------------------------------------------------------------------------------------------
// Money

const CURRENCY_CODES = 'USD|EUR|GBP|CAD|AUD|NZD|CHF|JPY|SEK|NOK|DKK|ZAR|INR|SGD|HKD|MXN|BRL|PLN';
const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
const MONEY = new RegExp(
  String.raw`(?:\b(?:${CURRENCY_CODES})\s?|[A-Z]{0,2}[$€£¥]\s?)(${NUMBER})` +
    String.raw`|(?<![\w.,])(${NUMBER})\s?(?:(?:${CURRENCY_CODES})\b|dollars\b|euros\b|pounds\b)` +
    String.raw`|(?<![\w.,$€£¥-])(\d{1,3}(?:,\d{3})*\.\d{2})(?![\w.,%])`,
  'g',
);

export interface MoneyMention {
  raw: string;
  cents: number;
}

export function findAmounts(text: string, currency: string): MoneyMention[] {
  const scale = 10 ** minorUnitDigits(currency);
  const out: MoneyMention[] = [];
  for (const m of text.matchAll(MONEY)) {
    const num = m[1] ?? m[2] ?? m[3];
    out.push({ raw: m[0], cents: Math.round(Number(num.replace(/,/g, '')) * scale) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Invoice numbers

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A shape per known number, so "INV-10999" is caught when the account's numbers look like "INV-10023".
 * Purely numeric numbers are only recognised next to the word "invoice" or "#": a bare pattern would
 * match years, zip codes and day counts.
 */
function numberShapes(known: Iterable<string>): RegExp[] {
  const shapes = new Set<string>();
  for (const n of known) {
    if (/^\d+$/.test(n)) continue;
    const hasLetters = /[A-Za-z]/.test(n);
    const shape = n
      .split(/(\d+)/)
      .map((part) => (/^\d+$/.test(part) ? (hasLetters ? '\\d+' : `\\d{${part.length}}`) : escapeRegExp(part)))
      .join('');
    shapes.add(shape);
  }
  return [...shapes].map((s) => new RegExp(String.raw`(?<![\w-])${s}(?![\w-])`, 'gi'));
}

const GENERIC_INVOICE = /(?<![\w-])INV[-_#]?\d[\w-]*(?![\w-])/gi;
const CONTEXT_INVOICE = /\binvoices?\s*(?:no\.?|number|num\.?)?\s*[#:]?\s*([A-Za-z0-9][\w-]*\d[\w-]*)/gi;
const HASH_INVOICE = /#\s?([A-Za-z0-9][\w-]*\d[\w-]*)/g;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}$/;

export function findInvoiceNumbers(text: string, ctx: Pick<DraftContext, 'knownNumbers'>): string[] {
  const found = new Set<string>();
  const push = (s: string) => {
    const token = s.replace(/[-_]+$/, '');
    if (token && !ISO_LIKE.test(token)) found.add(token);
  };
  for (const re of numberShapes(ctx.knownNumbers)) for (const m of text.matchAll(re)) push(m[0]);
  for (const m of text.matchAll(GENERIC_INVOICE)) push(m[0]);
  for (const m of text.matchAll(CONTEXT_INVOICE)) push(m[1]);
  for (const m of text.matchAll(HASH_INVOICE)) push(m[1]);
  return [...found];
}

// ---------------------------------------------------------------------------------------------------
// Dates

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MONTH = String.raw`(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const WEEKDAY = String.raw`(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+(?:the\s+)?)?`;
const DATE_PATTERNS: Array<{ re: RegExp; parse: (m: RegExpMatchArray) => Omit<DateMention, 'raw' | 'valid' | 'iso'> }> = [
  {
    re: /\b(\d{4})-(\d{2})-(\d{2})\b/g,
    parse: (m) => ({ year: +m[1], month: +m[2], day: +m[3] }),
  },
  {
    re: new RegExp(String.raw`\b${WEEKDAY}${MONTH}\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?(?!\d)`, 'g'),
    parse: (m) => ({ weekday: weekdayOf(m[1]), month: monthOf(m[2]), day: +m[3], year: m[4] ? +m[4] : undefined }),
  },
  {
    re: new RegExp(String.raw`\b${WEEKDAY}(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}(?:,?\s+(\d{4}))?\b`, 'g'),
    parse: (m) => ({ weekday: weekdayOf(m[1]), day: +m[2], month: monthOf(m[3]), year: m[4] ? +m[4] : undefined }),
  },
  {
    // US order; written as M/D/YYYY by the templates and most US-trained models.
    re: /\b(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})\b/g,
    parse: (m) => ({ month: +m[1], day: +m[2], year: m[3].length === 2 ? 2000 + +m[3] : +m[3] }),
  },
];

function monthOf(s: string): number {
  return MONTHS.indexOf(s.slice(0, 3).toLowerCase()) + 1;
}
function weekdayOf(s: string | undefined): number | undefined {
  return s ? WEEKDAYS.indexOf(s.slice(0, 3).toLowerCase()) + 1 : undefined;
}

export interface DateMention {
  raw: string;
  year?: number;
  month: number;
  day: number;
  weekday?: number;
  valid: boolean;
  /** Set when the year is known. */
  iso?: IsoDate;
}

export function findDates(text: string): DateMention[] {
  const taken: Array<[number, number]> = [];
  const out: Array<DateMention & { at: number }> = [];
  for (const { re, parse } of DATE_PATTERNS) {
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (taken.some(([s, e]) => start < e && end > s)) continue;
      taken.push([start, end]);
      const p = parse(m);
      const dt = DateTime.fromObject({ year: p.year ?? 2000, month: p.month, day: p.day }, { zone: 'utc' });
      out.push({
        at: start,
        raw: m[0].trim(),
        ...p,
        valid: dt.isValid,
        iso: dt.isValid && p.year ? (dt.toISODate() as IsoDate) : undefined,
      });
    }
  }
  return out.sort((a, b) => a.at - b.at).map(({ at: _at, ...d }) => d);
}

function isAllowedDate(d: DateMention, ctx: DraftContext): boolean {
  if (d.iso) return ctx.allowedDates.has(d.iso);
  const md = `-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  return [...ctx.allowedDates].some((a) => a.endsWith(md));
}

// ---------------------------------------------------------------------------------------------------
// Links and HTML

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`)\]]+/gi;

export function findLinks(text: string): string[] {
  return [...text.matchAll(LINK)].map((m) => m[0].replace(/[.,;:!?]+$/, ''));
}

function findHrefs(html: string): string[] {
  return [...html.matchAll(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) => decodeEntities((m[1] ?? m[2] ?? m[3]).trim()));
}

function sameLink(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\/+$/, '');
  return norm(a) === norm(b);
}

const ALLOWED_TAGS = new Set(['p', 'br', 'strong', 'b', 'em', 'i', 'u', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'a', 'div', 'span', 'small', 'hr']);

function checkHtml(html: string, add: (c: FactCheckCategory, m: string) => void): void {
  if (!html.trim()) add('required', 'the HTML body is empty');
  for (const m of html.matchAll(/<\/?\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
    const tag = m[1].toLowerCase();
    if (!ALLOWED_TAGS.has(tag)) add('html', `the HTML body uses <${tag}>, which simple email HTML does not allow`);
    if (/\son\w+\s*=/i.test(m[2]) || /javascript:/i.test(m[2])) add('html', 'the HTML body contains script in an attribute');
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&');
}

export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(br|\/p|\/div|\/tr|\/li|\/h\d|hr)\b[^>]*>/gi, '\n')
      .replace(/<\/t[dh]>/gi, '\t')
      .replace(/<[^>]+>/g, ''),
  );
}

// ---------------------------------------------------------------------------------------------------
// Claims that must be true of the statement: what is overdue, whether we wrote before, terms, fees, rails

const OVERDUE_WORDS = /\b(?:overdue|past[- ]due|late|in arrears|delinquent)\b/i;
const NOT_YET = /\bnot yet (?:due|overdue)\b|\bcoming due\b|\bupcoming\b|\bfalls? due\b|\bwill be due\b/i;
const DAYS_LATE = /\b(\d{1,4})\s+days?\s+(?:overdue|past[- ]due|late)\b/gi;
/** Ways of saying "we wrote before": a first contact may say none of them, whatever its step. */
const IMPLIES_EARLIER: Array<{ label: string; re: RegExp }> = [
  { label: 'a follow-up', re: /\bfollow(?:ing)?[- ]?up\b/i },
  { label: 'a second or later reminder', re: /\b(?:second|third|another|further|repeated|last|latest) (?:reminder|request|notice|attempt)s?\b/i },
  { label: 'an earlier message', re: /\b(?:earlier|previous|prior|last|past|recent) (?:message|e-?mail|letter|reminder|notice|correspondence|request|note)s?\b/i },
  { label: 'an earlier message', re: /\b(?:we|I) (?:wrote|emailed|e-mailed|contacted you|reached out|sent|reminded)\b|\b(?:we|I) have (?:written|emailed|contacted|reached out|sent|reminded)\b/i },
  { label: 'an earlier message', re: /\bas (?:we|I) (?:mentioned|noted|said|wrote|explained)\b|\bas previously\b|\bpreviously (?:sent|sent|mentioned|notified|reminded|requested)\b/i },
  { label: 'an unanswered message', re: /\b(?:have not|haven't|not) (?:yet )?heard (?:back )?from you\b|\bno (?:response|reply) (?:from you|to our)\b|\bwithout (?:a )?(?:response|reply)\b|\bnot been answered\b/i },
  { label: 'a repeated request', re: /\b(?:again|once more|still (?:not|unpaid|outstanding|overdue|waiting|have not|haven't))\b|\bdespite (?:our|repeated|several|multiple)\b/i },
  { label: 'a final notice', re: /\bfinal (?:notice|reminder|request|demand)\b/i },
];
const RAILS: Array<{ rail: string; re: RegExp; name: string }> = [
  { rail: 'ach', re: /\bACH\b/, name: 'ACH' },
  { rail: 'bacs', re: /\bBACS\b/i, name: 'BACS' },
  { rail: 'sepa', re: /\bSEPA\b/i, name: 'SEPA' },
];

function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=[A-Z])|\n+/).filter((s) => s.trim());
}

/** Statements about the account that its statement contradicts, whoever wrote them. */
export function untrueOfStatement(text: string, ctx: DraftContext): FactCheckIssue[] {
  const st = ctx.statement;
  const out: FactCheckIssue[] = [];
  const money = (c: number) => formatMoney(c, ctx.currency);
  const overdueAmounts = new Set<number>([st.overdueCents]);
  for (const i of st.overdue) overdueAmounts.add(i.balanceCents).add(i.amountCents);
  const upcomingNumbers = new Map(st.upcoming.map((i) => [i.number.toUpperCase(), i]));

  for (const sentence of sentences(text)) {
    if (!OVERDUE_WORDS.test(sentence) || NOT_YET.test(sentence)) continue;
    for (const m of findAmounts(sentence, ctx.currency)) {
      if (overdueAmounts.has(m.cents) || !ctx.allowedAmounts.has(m.cents)) continue;
      if (m.cents === st.totalOwedCents || st.upcoming.some((i) => i.balanceCents === m.cents || i.amountCents === m.cents))
        out.push({
          category: 'amount',
          message: `calls ${m.raw.trim()} overdue, but only ${money(st.overdueCents)} is overdue; ${money(st.upcomingCents)} is not yet due`,
        });
    }
    for (const n of findInvoiceNumbers(sentence, ctx)) {
      const inv = upcomingNumbers.get(n.toUpperCase());
      if (inv) out.push({ category: 'invoice', message: `calls invoice ${inv.number} overdue, but it is not due until ${formatDate(inv.dueDate)}` });
    }
  }
  const lateDays = new Set(st.overdue.map((i) => i.daysPastDue));
  for (const m of text.matchAll(DAYS_LATE))
    if (!lateDays.has(Number(m[1])))
      out.push({ category: 'claims', message: `says "${m[0]}", but ${st.overdue.length ? `the oldest invoice is ${st.maxDaysPastDue} days past due` : 'nothing is past due'}` });

  if (st.firstContact) {
    for (const { label, re } of IMPLIES_EARLIER) {
      const m = re.exec(text);
      if (m) out.push({ category: 'claims', message: `implies ${label} ("${m[0]}"), but this is the first message about these invoices` });
    }
  }

  if (st.installation.lateFees.kind === 'none') {
    const m = /\blate[-\s](?:payment\s)?(?:fees?|charges?)\b|\b(?:finance|interest) charges?\b/i.exec(text);
    if (m) out.push({ category: 'language', message: `mentions ${m[0]}, but the agreement on record has no late fees` });
  }

  const terms = new Set(st.invoices.map((i) => i.termsDays));
  for (const m of text.matchAll(/\b(?:payable|due|paid)\s+within\s+(\d{1,3})\s+days\b|\bnet[\s-]?(\d{1,3})\b|\b(\d{1,3})[\s-]day (?:payment )?terms\b/gi)) {
    const days = Number(m[1] ?? m[2] ?? m[3]);
    if (!terms.has(days)) out.push({ category: 'claims', message: `states terms of ${days} days ("${m[0]}"), which are not the terms of any open invoice` });
  }

  for (const r of RAILS) {
    if (r.rail === st.locale.bankRail) continue;
    if (r.re.test(text)) out.push({ category: 'claims', message: `asks for payment by ${r.name}, which is not how a client in ${st.locale.country ?? 'this country'} paying in ${st.locale.currency} pays` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Language the step does not allow

type Gate = keyof LanguagePermissions;
const FORBIDDEN: Array<{ gate: Gate; label: string; re: RegExp }> = [
  { gate: 'consequences', label: 'a late fee', re: /\blate[-\s](?:payment\s)?(?:fees?|charges?)\b/i },
  { gate: 'consequences', label: 'a finance or interest charge', re: /\b(?:finance charges?|interest charges?|charge interest|interest (?:will|at|on overdue))\b/i },
  { gate: 'consequences', label: 'a penalty', re: /\bpenalt(?:y|ies)\b/i },
  { gate: 'interruption', label: 'a service suspension', re: /\bsuspen(?:d|ded|ding|sion)\b/i },
  { gate: 'interruption', label: 'a service interruption', re: /\binterrupt(?:ed|ing|ion|ions)?\b/i },
  { gate: 'interruption', label: 'a disconnection', re: /\b(?:disconnect\w*|cut off|shut (?:off|down)|deactivat\w*)\b/i },
  { gate: 'interruption', label: 'a service pause', re: /\bpaus(?:e|ed|es|ing)\b/i },
  { gate: 'interruption', label: 'a termination', re: /\bterminat\w*\b/i },
  { gate: 'finalWord', label: '"final"', re: /\bfinal\b|\blast chance\b/i },
  { gate: 'collections', label: 'collections', re: /\b(?:collections|collection agenc(?:y|ies)|debt collect\w*)\b/i },
  { gate: 'collections', label: 'legal action', re: /\b(?:legal|attorneys?|lawyers?|courts?|lawsuits?|litigation|sue)\b/i },
  { gate: 'collections', label: 'credit reporting', re: /\bcredit (?:bureaus?|report\w*)\b/i },
];

/** Human-readable hits of language this step may not use. */
export function forbiddenLanguage(text: string, permissions: LanguagePermissions): string[] {
  const hits: string[] = [];
  for (const f of FORBIDDEN) {
    if (permissions[f.gate]) continue;
    const m = f.re.exec(text);
    if (m) hits.push(`mentions ${f.label} ("${m[0]}"), which this step may not`);
  }
  return hits;
}
