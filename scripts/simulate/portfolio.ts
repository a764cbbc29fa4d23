/**
 * A generated MSP client portfolio for the simulator: who the clients are and how each one pays.
 * Days are offsets from the simulation's first day, so one seed describes the same season whenever
 * it runs; the runner turns them into dates once it knows the server's clock.
 */
import type { Mode, PaymentMethod, Segment } from '../../domain/facts';
import { createRng, type Rng } from './prng';

export const behaviours = ['early', 'on_time', 'late', 'very_late', 'partial', 'never'] as const;
export type Behaviour = (typeof behaviours)[number];

export interface PlannedPayment {
  day: number;
  amountCents: number;
}

export interface PlannedInvoice {
  number: string;
  issueDay: number;
  dueDay: number;
  amountCents: number;
  payments: PlannedPayment[];
}

export interface PastInvoice {
  number: string;
  dueDay: number;
  amountCents: number;
  daysLate: number;
}

export interface AccountPlan {
  index: number;
  name: string;
  email: string;
  segment: Segment;
  mode: Mode;
  timeZone: string;
  paymentMethod: PaymentMethod;
  tenureMonths: number;
  /** Days (offsets) the client observes as holidays, on top of weekends. */
  holidays: number[];
  behaviour: Behaviour;
  /** Paid invoices of the past year: what tone calibration learns the client's habits from. */
  history: PastInvoice[];
  invoices: PlannedInvoice[];
}

export interface PortfolioOptions {
  accounts: number;
  days: number;
  seed: number;
  /** Every account in one mode, or each account's own (60% autonomous). */
  mode?: Mode | 'mixed';
}

const segmentsByWeight: [Segment, number][] = [
  ['standard', 55],
  ['long_term', 15],
  ['new_client', 12],
  ['key_account', 10],
  ['sensitive', 8],
];
const behaviourWeights: [Behaviour, number][] = [
  ['early', 20],
  ['on_time', 25],
  ['late', 25],
  ['very_late', 10],
  ['partial', 10],
  ['never', 10],
];
const timeZones: [string, number][] = [
  ['America/New_York', 35],
  ['America/Chicago', 20],
  ['America/Denver', 10],
  ['America/Los_Angeles', 20],
  ['America/Phoenix', 5],
  ['Europe/London', 5],
  ['Australia/Sydney', 5],
];
const methods: [PaymentMethod, number][] = [
  ['ach', 45],
  ['card', 25],
  ['check', 20],
  ['wire', 10],
];
const first = ['Northwind', 'Harbor', 'Summit', 'Cedar', 'Bluebird', 'Granite', 'Lakeside', 'Pioneer', 'Riverbend', 'Oakridge', 'Maple', 'Beacon', 'Ironwood', 'Silverline', 'Westfield', 'Copper'];
const second = ['Dental', 'Legal', 'Logistics', 'Clinic', 'Realty', 'Accounting', 'Architects', 'Veterinary', 'Insurance', 'Builders', 'Family Practice', 'Credit Union', 'Engineering', 'Marketing'];
const amountRange: Record<Segment, [number, number]> = {
  standard: [80_000, 400_000],
  long_term: [150_000, 600_000],
  new_client: [50_000, 250_000],
  key_account: [800_000, 2_500_000],
  sensitive: [100_000, 500_000],
};
const TERMS_DAYS = 30;

/** Days after the due date this client pays, for one invoice. */
function lateness(rng: Rng, b: Behaviour): number | null {
  switch (b) {
    case 'early':
      return rng.int(-6, -1);
    case 'on_time':
      return rng.int(-1, 2);
    case 'late':
      return rng.int(4, 18);
    case 'very_late':
      return rng.int(22, 45);
    case 'partial':
      return rng.int(5, 12);
    case 'never':
      return null;
  }
}

function paymentsFor(rng: Rng, b: Behaviour, dueDay: number, amountCents: number, importedOpen: boolean): PlannedPayment[] {
  const late = lateness(rng, b);
  if (late === null) return [];
  // An invoice already open at import whose payer would have paid before the start pays in the first days.
  const at = (d: number) => (importedOpen && d <= 0 ? rng.int(1, 3) : d);
  if (b !== 'partial') return [{ day: at(dueDay + late), amountCents }];
  const part = Math.round((amountCents * rng.int(30, 60)) / 100);
  const payments = [{ day: at(dueDay + late), amountCents: part }];
  if (rng.chance(0.7)) payments.push({ day: Math.max(at(dueDay + late) + 5, dueDay + rng.int(25, 50)), amountCents: amountCents - part });
  return payments;
}

export function generatePortfolio(options: PortfolioOptions): AccountPlan[] {
  const rng = createRng(options.seed);
  const plans: AccountPlan[] = [];
  for (let index = 0; index < options.accounts; index++) {
    const segment = rng.weighted(segmentsByWeight);
    const behaviour = segment === 'long_term' && rng.chance(0.6) ? rng.pick(['early', 'on_time'] as const) : rng.weighted(behaviourWeights);
    const tenureMonths = segment === 'new_client' ? rng.int(1, 5) : segment === 'long_term' ? rng.int(36, 96) : rng.int(6, 60);
    const [lo, hi] = amountRange[segment];
    const amount = () => Math.round(rng.int(lo, hi) / 100) * 100;
    const mode: Mode = options.mode && options.mode !== 'mixed' ? options.mode : rng.chance(0.6) ? 'autonomous' : 'copilot';
    const name = `${rng.pick(first)} ${rng.pick(second)} ${index + 1}`;

    const firstDue = rng.int(-25, 28);
    const history: PastInvoice[] = [];
    const pastCount = Math.min(12, tenureMonths);
    for (let k = pastCount; k >= 1; k--) {
      const late = lateness(rng, behaviour === 'never' ? 'very_late' : behaviour);
      history.push({ number: `H-${index + 1}-${k}`, dueDay: firstDue - TERMS_DAYS * k, amountCents: amount(), daysLate: Math.max(0, late ?? 30) });
    }
    // Old invoices must have been settled before the season starts, or they would be open debt.
    const settled = history.filter((h) => h.dueDay + h.daysLate < 0);

    const invoices: PlannedInvoice[] = [];
    for (let k = 0; firstDue + TERMS_DAYS * k - TERMS_DAYS < options.days; k++) {
      const dueDay = firstDue + TERMS_DAYS * k;
      const amountCents = amount();
      invoices.push({
        number: `INV-${index + 1}-${k + 1}`,
        issueDay: dueDay - TERMS_DAYS,
        dueDay,
        amountCents,
        payments: paymentsFor(rng, behaviour, dueDay, amountCents, dueDay - TERMS_DAYS <= 0),
      });
    }
    const holidays = rng.chance(0.3) ? [rng.int(1, Math.max(1, options.days - 1))] : [];
    plans.push({
      index,
      name,
      email: `ap+${index + 1}@${name.split(' ')[0].toLowerCase()}.test`,
      segment,
      mode,
      timeZone: rng.weighted(timeZones),
      paymentMethod: rng.weighted(methods),
      tenureMonths,
      holidays,
      behaviour,
      history: settled,
      invoices,
    });
  }
  return plans;
}
