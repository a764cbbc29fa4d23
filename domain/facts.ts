/**
 * The facts about one account that every decision is made from. Built from PostgreSQL by an activity,
 * passed to the pure policy and tone functions, and to the drafter. Money is integer cents; calendar
 * dates are 'YYYY-MM-DD' strings (the account's own calendar); instants are ISO-8601 UTC strings.
 */
import { z } from 'zod';

export const segments = ['standard', 'new_client', 'long_term', 'key_account', 'sensitive'] as const;
export const Segment = z.enum(segments);
export type Segment = z.infer<typeof Segment>;

export const modes = ['copilot', 'autonomous'] as const;
export const Mode = z.enum(modes);
export type Mode = z.infer<typeof Mode>;

export const paymentMethods = ['ach', 'card', 'check', 'wire', 'other'] as const;
export const PaymentMethod = z.enum(paymentMethods);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/**
 * A calendar date that exists, between 1970 and 2199: outside that it is a typo or a probe
 * (9999-12-31), and no invoice, payment or promise of ours is dated there.
 */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, 'not a real calendar date')
  .refine((v) => v >= '1970-01-01' && v <= '2199-12-31', 'a date between 1970 and 2199');
export type IsoDate = string;
/** An instant, ISO-8601 in UTC. */
export type Instant = string;

export const Cents = z.number().int('money is whole cents').nonnegative();

export const BusinessHours = z.object({
  /** Local wall-clock time, 'HH:MM', 24h. */
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  days: z.array(z.number().int().min(1).max(7)).min(1),
});
export type BusinessHours = z.infer<typeof BusinessHours>;
export const defaultBusinessHours: BusinessHours = { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] };

export interface InvoiceFact {
  id: string;
  number: string;
  issueDate: IsoDate;
  dueDate: IsoDate;
  amountCents: number;
  /** What is still owed on this invoice after payments and credits. */
  balanceCents: number;
  status: 'open' | 'paid' | 'void';
  /** When the balance reached zero, for paid invoices (tone history). */
  paidAt?: Instant | null;
  /** What the invoice charges for, when its source sent its lines (the invoices API does; A/R reports do not). */
  lines?: InvoiceLine[];
}

export interface InvoiceLine {
  description: string;
  quantity: number | null;
  amountCents: number;
}

export interface PaymentFact {
  id: string;
  receivedAt: Instant;
  amountCents: number;
  method: PaymentMethod;
  /** Set when the whole payment went to one invoice; `allocations` says it for split payments. */
  invoiceId?: string | null;
  /** A credit note reduces what is owed like a payment, but is thanked for differently. */
  kind?: 'payment' | 'credit_note';
  /** Which invoices the payment paid, and how much of each. */
  allocations?: PaymentAllocationFact[];
}

export interface PaymentAllocationFact {
  invoiceId: string;
  amountCents: number;
}

export interface PromiseFact {
  id: string;
  promisedDate: IsoDate;
  amountCents?: number | null;
  status: 'open' | 'kept' | 'broken' | 'cancelled';
  createdAt: Instant;
}

export interface DisputeFact {
  id: string;
  invoiceId?: string | null;
  status: 'open' | 'resolved';
  reason: string;
  openedAt: Instant;
  resolvedAt?: Instant | null;
}

/** A follow-up that already went out (or a call task already created) for this account. */
export interface SentFact {
  stepId: string;
  cycleKey: string;
  sentAt: Instant;
  tone?: Tone | null;
  /** False for a step that was decided but never reached the client (a rejected or suppressed draft). */
  delivered?: boolean;
}

export const tones = ['warm', 'neutral', 'firm'] as const;
export const Tone = z.enum(tones);
export type Tone = z.infer<typeof Tone>;

export interface ContactFact {
  name: string;
  email: string;
  phone?: string | null;
  role?: string | null;
}

export interface ReplyHold {
  until: Instant;
  /** In words, for the account's next action and the paper trail. */
  reason: string;
}

export interface AccountFacts {
  accountId: string;
  name: string;
  segment: Segment;
  mode: Mode;
  timeZone: string;
  businessHours: BusinessHours;
  /** Dates on which nothing is sent, in the account's calendar. */
  holidays: IsoDate[];
  clientSince: IsoDate;
  paymentTermsDays: number;
  paymentMethod: PaymentMethod;
  /** Paused by a manager: no automatic follow-up until resumed. */
  paused: boolean;
  /**
   * What a client's reply holds back, apart from any manager's pause: written reminders wait until
   * `until` — a payment the client says it made is verified (or its deadline passes), the contact is
   * back from leave, a promise proposed from the reply is confirmed or its date passes.
   */
  replyHolds?: ReplyHold[];
  contacts: ContactFact[];
  /** All invoices of the last 13 months and every open one. */
  invoices: InvoiceFact[];
  payments: PaymentFact[];
  promises: PromiseFact[];
  disputes: DisputeFact[];
  sent: SentFact[];
  currency: string;
  /** ISO 3166-1 alpha-2, when known: decides the wording, payment rails and public holidays. */
  country?: string | null;
}
