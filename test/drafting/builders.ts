/** Draft inputs for tests and for generating the eval fixtures: one realistic MSP client, varied per case. */
import type { AccountFacts, InvoiceFact, PaymentMethod, Tone } from '../../domain/facts';
import { stepKinds } from '../../domain/policy/schema';
import type { StepKind } from '../../domain/policy/schema';
import type { DraftInput, DraftRules } from '../../domain/drafting/types';

export const NOW = '2025-03-20T15:00:00.000Z';
export const PAY_LINK = 'https://pay.northwind-it.example/p/acc_7f3k2?sig=ab12cd34';

/** The default policy's rules per step kind: what each may say. */
export const RULES: Record<StepKind, DraftRules> = {
  prevention: { requiresPayLink: true, allowsConsequences: false, statesInterruption: false },
  first_reminder: { requiresPayLink: true, allowsConsequences: false, statesInterruption: false },
  second_reminder: { requiresPayLink: true, allowsConsequences: true, statesInterruption: false },
  final_notice: { requiresPayLink: true, allowsConsequences: true, statesInterruption: true },
  call: { requiresPayLink: false, allowsConsequences: false, statesInterruption: false },
  service_pause: { requiresPayLink: true, allowsConsequences: true, statesInterruption: true },
  collections: { requiresPayLink: true, allowsConsequences: true, statesInterruption: false },
};

const DAYS_PAST_DUE: Record<StepKind, number> = {
  prevention: -3,
  first_reminder: 3,
  second_reminder: 10,
  final_notice: 22,
  call: 30,
  service_pause: 45,
  collections: 95,
};

function isoDaysFrom(base: string, days: number): string {
  const d = new Date(`${base}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function invoice(n: number, dueDate: string, amountCents: number, balanceCents = amountCents): InvoiceFact {
  return {
    id: `inv_${n}`,
    number: `INV-${n}`,
    issueDate: isoDaysFrom(dueDate, -30),
    dueDate,
    amountCents,
    balanceCents,
    status: balanceCents > 0 ? 'open' : 'paid',
    paidAt: balanceCents > 0 ? null : `${dueDate}T12:00:00.000Z`,
  };
}

export function baseFacts(over: Partial<AccountFacts> = {}): AccountFacts {
  return {
    accountId: 'acc_7f3k2',
    name: 'Contoso Dental Group',
    segment: 'standard',
    mode: 'copilot',
    timeZone: 'America/Chicago',
    businessHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] },
    holidays: [],
    clientSince: '2022-06-01',
    paymentTermsDays: 30,
    paymentMethod: 'ach',
    paused: false,
    contacts: [{ name: 'Dana Whitfield', email: 'dana@contoso-dental.example', phone: '+1 312 555 0142', role: 'Office manager' }],
    invoices: [],
    payments: [],
    promises: [],
    disputes: [],
    sent: [],
    currency: 'USD',
    ...over,
  };
}

export interface CaseOptions {
  kind: StepKind;
  tone?: Tone;
  method?: PaymentMethod;
  invoices?: InvoiceFact[];
  facts?: Partial<AccountFacts>;
  withRemittance?: boolean;
}

/** A draft input at the moment the step is due, `daysPastDue` from the oldest invoice's due date. */
export function draftCase(o: CaseOptions): DraftInput {
  const today = NOW.slice(0, 10);
  const dpd = DAYS_PAST_DUE[o.kind];
  const oldestDue = isoDaysFrom(today, -dpd);
  const invoices = o.invoices ?? [invoice(10231, oldestDue, 184_500), invoice(10262, isoDaysFrom(oldestDue, 14), 92_250, 42_250)];
  const facts = baseFacts({ paymentMethod: o.method ?? 'ach', invoices, ...o.facts });
  const open = facts.invoices.filter((i) => i.status === 'open' && i.balanceCents > 0);
  const rank = stepKinds.indexOf(o.kind);
  const earlier = stepKinds
    .slice(0, rank)
    .filter((k) => k !== 'call')
    .map((k) => ({ stepId: k, sentAt: `${isoDaysFrom(oldestDue, DAYS_PAST_DUE[k])}T15:00:00.000Z`, subject: `About your account (${k})` }));
  return {
    facts,
    step: {
      stepId: o.kind,
      kind: o.kind,
      channel: o.kind === 'call' ? 'call_task' : 'email',
      tone: o.tone ?? 'neutral',
      cycleKey: `${open[0]?.id ?? 'none'}:${oldestDue}`,
      invoiceIds: open.map((i) => i.id),
      balanceCents: open.reduce((s, i) => s + i.balanceCents, 0),
      daysPastDue: dpd,
      sensitiveReasons: [],
      ...(o.kind === 'final_notice' || o.kind === 'service_pause' ? { interruptionDate: isoDaysFrom(today, 10) } : {}),
    },
    now: NOW,
    payLink: PAY_LINK,
    sender: {
      name: 'Priya Raman',
      company: 'Northwind IT Services',
      email: 'billing@northwind-it.example',
      ...(o.withRemittance === false ? {} : { remittanceAddress: ['Northwind IT Services', 'Attn: Accounts Receivable', '400 W Lake St, Suite 210', 'Chicago, IL 60606'] }),
    },
    earlierMessages: earlier,
    rules: RULES[o.kind],
  };
}
