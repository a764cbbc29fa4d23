/** Builders for account facts and a day-by-day season runner for the domain tests. */
import { DateTime } from 'luxon';
import {
  addDays,
  defaultBusinessHours,
  localDate,
  localTime,
  nextAction,
  type AccountFacts,
  type InvoiceFact,
  type IsoDate,
  type NextAction,
  type PolicyDefinition,
  type Tone,
} from '../../domain';

export const NY = 'America/New_York';

export function account(over: Partial<AccountFacts> = {}): AccountFacts {
  return {
    accountId: 'acct_1',
    name: 'Harbor Dental',
    segment: 'standard',
    mode: 'autonomous',
    timeZone: NY,
    businessHours: defaultBusinessHours,
    holidays: [],
    clientSince: '2023-01-01',
    paymentTermsDays: 30,
    paymentMethod: 'ach',
    paused: false,
    contacts: [{ name: 'Dana Lee', email: 'dana@harbor.example' }],
    invoices: [],
    payments: [],
    promises: [],
    disputes: [],
    sent: [],
    currency: 'USD',
    ...over,
  };
}

export function invoice(id: string, dueDate: IsoDate, balanceCents: number, over: Partial<InvoiceFact> = {}): InvoiceFact {
  return {
    id,
    number: `INV-${id}`,
    issueDate: addDays(dueDate, -30),
    dueDate,
    amountCents: balanceCents,
    balanceCents,
    status: balanceCents > 0 ? 'open' : 'paid',
    ...over,
  };
}

/** Paid invoices, one a month before `before`, each paid `lateDays[i]` days after its due date. */
export function paidHistory(before: IsoDate, lateDays: number[], timeZone = NY): InvoiceFact[] {
  return lateDays.map((late, i) => {
    const due = addDays(before, -30 * (i + 1) - Math.max(...lateDays, 0));
    return invoice(`h${i + 1}`, due, 0, {
      amountCents: 50_000,
      status: 'paid',
      paidAt: localTime(addDays(due, late), '11:00', timeZone),
    });
  });
}

/** A local wall-clock instant in New York unless told otherwise. */
export const at = (date: IsoDate, time = '10:00', timeZone = NY) => localTime(date, time, timeZone);

export const wall = (instant: string, timeZone: string) => DateTime.fromISO(instant, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm ccc');

export function payInFull(f: AccountFacts, invoiceId: string, paidAt: string): AccountFacts {
  return {
    ...f,
    invoices: f.invoices.map((inv) => (inv.id === invoiceId ? { ...inv, balanceCents: 0, status: 'paid', paidAt } : inv)),
  };
}

export interface SeasonEntry {
  /** Local date, time and weekday the step went out. */
  when: string;
  stepId: string;
  tone: Tone;
  cycleKey: string;
  sensitiveReasons: string[];
  daysPastDue: number;
  interruptionDate?: string;
}

/**
 * Moves "now" forward one day at a time (08:00 local, before opening), applies the day's events, and
 * sends every `act` that falls on that day, recording it in the facts the way the workflow would.
 */
export function runSeason(opts: {
  policy: PolicyDefinition;
  facts: AccountFacts;
  from: IsoDate;
  to: IsoDate;
  events?: Record<IsoDate, (f: AccountFacts) => AccountFacts>;
}): { log: SeasonEntry[]; facts: AccountFacts; last: NextAction } {
  let facts = opts.facts;
  const log: SeasonEntry[] = [];
  const tz = facts.timeZone;
  let last: NextAction = nextAction({ policy: opts.policy, facts, now: at(opts.from, '08:00', tz) });
  for (let day = opts.from; day <= opts.to; day = addDays(day, 1)) {
    const event = opts.events?.[day];
    if (event) facts = event(facts);
    let now = at(day, '08:00', tz);
    for (;;) {
      last = nextAction({ policy: opts.policy, facts, now });
      if (last.type !== 'act' || localDate(last.at, tz) !== day) break;
      const { step } = last;
      log.push({
        when: wall(last.at, tz),
        stepId: step.stepId,
        tone: step.tone,
        cycleKey: step.cycleKey,
        sensitiveReasons: step.sensitiveReasons,
        daysPastDue: step.daysPastDue,
        ...(step.interruptionDate ? { interruptionDate: step.interruptionDate } : {}),
      });
      facts = { ...facts, sent: [...facts.sent, { stepId: step.stepId, cycleKey: step.cycleKey, sentAt: last.at, tone: step.tone }] };
      now = last.at;
    }
  }
  return { log, facts, last };
}

/** Follows the engine's own `at`/`until` instead of polling, to check that sleeping on them is exact. */
export function followSchedule(policy: PolicyDefinition, facts: AccountFacts, now: string, untilDay: IsoDate) {
  const sends: { when: string; stepId: string; tone: Tone }[] = [];
  for (let i = 0; i < 50; i++) {
    const r = nextAction({ policy, facts, now });
    if (r.type === 'idle') break;
    const moment = r.type === 'act' ? r.at : r.until;
    if (localDate(moment, facts.timeZone) > untilDay) break;
    if (r.type === 'act') {
      sends.push({ when: wall(r.at, facts.timeZone), stepId: r.step.stepId, tone: r.step.tone });
      facts = { ...facts, sent: [...facts.sent, { stepId: r.step.stepId, cycleKey: r.step.cycleKey, sentAt: r.at }] };
    }
    now = moment;
  }
  return sends;
}
