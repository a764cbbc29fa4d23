/**
 * The demo portfolio as plain rows: about 60 MSP clients with a year of billing and payment history,
 * so the queue, the tone calibration and the aging charts have something true to work from.
 * Pure and deterministic for a given `today`: the seeded PRNG, no clock, no I/O.
 */
import { addDays, daysBetween } from '../../domain/calendar';
import type { BusinessHours, IsoDate, Mode, PaymentMethod, Segment } from '../../domain/facts';
import { defaultBusinessHours } from '../../domain/facts';
import type * as schema from '../schema';
import { Random } from './random';

export const DEMO_SEED = 0x7ac7f01;

/** The clients the demo walk-through (and the seed test) relies on, by the story each one tells. */
export const demoProfiles = {
  longTermOnTime: 'Harborview Dental Group',
  habitualLatePayer: 'Summit Ridge Logistics',
  newClient: 'Brightwater Pediatrics',
  keyAccount: 'Meridian Health Partners',
  disputing: 'Copperline Manufacturing',
  promiseToPay: 'Oakmont Property Management',
  ach: 'Lakeside Family Law',
  card: 'Pinecrest Veterinary Clinic',
  check: 'Riverbend Community Church',
  sensitive: 'Evergreen Hospice Care',
  collections: 'Blue Heron Marketing',
} as const;
export type DemoProfile = keyof typeof demoProfiles;

type Row<T extends { $inferInsert: unknown }> = T['$inferInsert'];
export interface Portfolio {
  accounts: Row<typeof schema.accounts>[];
  contacts: Row<typeof schema.contacts>[];
  invoices: Row<typeof schema.invoices>[];
  payments: Row<typeof schema.payments>[];
  allocations: Row<typeof schema.paymentAllocations>[];
  promises: Row<typeof schema.promises>[];
  disputes: Row<typeof schema.disputes>[];
  /** Paper-trail entries for the promise and the dispute, so their timelines do not start empty. */
  events: { accountId: string; type: string; actorId: string; data: Record<string, unknown> }[];
}

interface InvoiceContext {
  /** 0 for the client's first invoice in the window. */
  index: number;
  /** Days past due as of today (negative: not yet due). */
  overdueDays: number;
}
/** Days after the due date the client pays an invoice, or null while it stays unpaid. */
type Lateness = (rng: Random, invoice: InvoiceContext) => number | null;

interface Plan {
  profile?: DemoProfile;
  name: string;
  segment: Segment;
  mode: Mode;
  timeZone: string;
  paymentMethod: PaymentMethod;
  termsDays: number;
  clientSince: IsoDate;
  billingDay: number;
  seats: number;
  seatPriceCents: number;
  fixedCents: number;
  projectChance: number;
  businessHours: BusinessHours;
  lateness: Lateness;
  /** Probability that a paid invoice was settled in two instalments. */
  splitChance: number;
  /** A part payment on the oldest open invoice. */
  partialOnOldestOpen: boolean;
}

const between = (lo: number, hi: number): Lateness => (rng) => rng.int(lo, hi);
const archetypes = {
  onTime: (rng: Random) => (rng.chance(0.05) ? rng.int(6, 12) : rng.int(-5, 2)),
  slightlyLate: (rng: Random) => rng.int(3, 15),
  late: (rng: Random) => rng.int(18, 42),
  veryLate: (rng: Random) => rng.int(45, 110),
} as const;
type Archetype = keyof typeof archetypes;

const zones: readonly (readonly [string, number])[] = [
  ['America/New_York', 34],
  ['America/Chicago', 24],
  ['America/Denver', 9],
  ['America/Phoenix', 5],
  ['America/Los_Angeles', 20],
  ['America/Anchorage', 1],
  ['Pacific/Honolulu', 1],
];
const areaCodes: Record<string, readonly string[]> = {
  'America/New_York': ['212', '617', '704', '305', '404', '215', '919'],
  'America/Detroit': ['313', '248'],
  'America/Chicago': ['312', '512', '612', '214', '414', '615'],
  'America/Denver': ['303', '801', '505'],
  'America/Phoenix': ['602', '480'],
  'America/Los_Angeles': ['213', '206', '503', '415', '916'],
  'America/Anchorage': ['907'],
  'Pacific/Honolulu': ['808'],
  'America/Toronto': ['416', '647'],
};

const prefixes = [
  'Alder', 'Beacon', 'Birchwood', 'Cascade', 'Cedar Point', 'Clearwater', 'Cobalt', 'Crescent', 'Driftwood',
  'Eastgate', 'Fairhaven', 'Foxglove', 'Glacier', 'Hawthorne', 'Highland', 'Ironwood', 'Juniper', 'Keystone',
  'Lantern', 'Maple Street', 'Mesa Verde', 'Northstar', 'Oakridge', 'Pacific Crest', 'Pioneer', 'Quarry Hill',
  'Redwood', 'Sagebrush', 'Silver Lake', 'Stonebridge', 'Sunrise', 'Tidewater', 'Timberline', 'Union Square',
  'Valley View', 'Westbrook', 'Willow Creek', 'Bayside', 'Red Canyon', 'Granite Peak', 'Lakeshore', 'Prairie Wind',
  'Magnolia', 'Harbor Light', 'Copper Creek', 'Ridgeline', 'Old Mill', 'Sterling', 'Brookside', 'Falcon Ridge',
];
const industries = [
  'Dental Associates', 'Family Medicine', 'Law Group', 'CPA Partners', 'Insurance Agency', 'Realty', 'Physical Therapy',
  'Architects', 'Engineering', 'Animal Hospital', 'Title & Escrow', 'Orthodontics', 'Wealth Advisors', 'Chiropractic',
  'Construction', 'Freight', 'Credit Union', 'Eye Care', 'Montessori School', 'Foods', 'Brewing Co.', 'Landscaping',
  'Auto Group', 'Pharmacy', 'Printing', 'Staffing', 'Surgical Center', 'Dermatology', 'Home Health', 'Builders',
];
const firstNames = [
  'Maria', 'James', 'Linda', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Elizabeth', 'William', 'Susan',
  'Carlos', 'Aisha', 'Wei', 'Priya', 'Kevin', 'Rachel', 'Thomas', 'Nicole', 'Daniel', 'Grace', 'Marcus', 'Olivia',
  'Hannah', 'Luis', 'Fatima', 'Brian', 'Megan', 'Tyler', 'Keiko', 'Samuel', 'Rosa', 'Andre', 'Erin', 'Victor',
];
const lastNames = [
  'Garcia', 'Johnson', 'Nguyen', 'Patel', 'Smith', 'Williams', 'Brown', 'Martinez', 'Kim', 'Okafor', 'Chen',
  'Rodriguez', 'Thompson', 'Hughes', 'Rivera', 'Sullivan', 'Morales', 'Fischer', 'Bennett', 'Reyes', 'Tanaka',
  'Walsh', 'Coleman', 'Ramirez', 'Foster', 'Hayes', 'Brooks', 'Price', 'Kowalski', 'Lindqvist', 'Mensah',
];
const contactRoles = ['Office Manager', 'Controller', 'Owner', 'Practice Administrator', 'Bookkeeper', 'CFO', 'Operations Director'];

const businessHourVariants: readonly (readonly [BusinessHours, number])[] = [
  [defaultBusinessHours, 70],
  [{ start: '08:00', end: '16:30', days: [1, 2, 3, 4, 5] }, 15],
  [{ start: '07:30', end: '18:00', days: [1, 2, 3, 4, 5, 6] }, 10],
  [{ start: '10:00', end: '18:00', days: [1, 2, 3, 4, 5] }, 5],
];

function monthDate(today: IsoDate, monthsBack: number, day: number): IsoDate {
  const [y, m] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 - monthsBack, day)).toISOString().slice(0, 10);
}
const dayOfMonth = (date: IsoDate) => Math.min(28, Number(date.slice(8, 10)));
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
const roundTo = (cents: number, step: number) => Math.max(step, Math.round(cents / step) * step);

/** The named clients: each one a situation the product has to handle well. */
function namedPlans(today: IsoDate): Plan[] {
  const base = {
    mode: 'copilot' as Mode,
    segment: 'standard' as Segment,
    termsDays: 30,
    fixedCents: 25_000,
    projectChance: 0.08,
    businessHours: defaultBusinessHours,
    splitChance: 0,
    partialOnOldestOpen: false,
  };
  const blueHeronBillingDay = dayOfMonth(addDays(today, -118 - 30));
  return [
    {
      ...base, profile: 'longTermOnTime', name: demoProfiles.longTermOnTime, segment: 'long_term', mode: 'autonomous',
      timeZone: 'America/New_York', paymentMethod: 'ach', clientSince: addDays(today, -6 * 365 - 40), billingDay: 1,
      seats: 24, seatPriceCents: 12_500, lateness: between(-6, 0),
    },
    {
      ...base, profile: 'habitualLatePayer', name: demoProfiles.habitualLatePayer, timeZone: 'America/Chicago',
      paymentMethod: 'ach', clientSince: addDays(today, -4 * 365 - 100), billingDay: 5, seats: 41, seatPriceCents: 11_000,
      lateness: between(27, 34), splitChance: 0.2,
    },
    {
      ...base, profile: 'newClient', name: demoProfiles.newClient, segment: 'new_client', timeZone: 'America/Denver',
      paymentMethod: 'card', clientSince: addDays(today, -75), billingDay: dayOfMonth(addDays(today, -75)), seats: 14,
      seatPriceCents: 13_500, projectChance: 0,
      // The first invoice went to the wrong inbox; the second has not been paid yet.
      lateness: (_rng, inv) => (inv.index === 0 ? 9 : null),
    },
    {
      ...base, profile: 'keyAccount', name: demoProfiles.keyAccount, segment: 'key_account', timeZone: 'America/New_York',
      paymentMethod: 'wire', termsDays: 45, clientSince: addDays(today, -5 * 365 - 200), billingDay: 1, seats: 180,
      seatPriceCents: 14_500, fixedCents: 180_000, projectChance: 0.25, lateness: between(3, 18),
    },
    {
      ...base, profile: 'disputing', name: demoProfiles.disputing, timeZone: 'America/Detroit', paymentMethod: 'ach',
      clientSince: addDays(today, -3 * 365), billingDay: 10, seats: 36, seatPriceCents: 11_500,
      // Billed for 48 seats after cutting to 36: that invoice is held back until it is credited.
      lateness: (rng, inv) => (inv.overdueDays >= 30 && inv.overdueDays <= 60 ? null : rng.int(1, 6)),
    },
    {
      ...base, profile: 'promiseToPay', name: demoProfiles.promiseToPay, timeZone: 'America/Phoenix', paymentMethod: 'ach',
      clientSince: addDays(today, -2 * 365 - 30), billingDay: 15, seats: 22, seatPriceCents: 12_000,
      lateness: (rng, inv) => (inv.overdueDays >= 15 && inv.overdueDays <= 40 ? null : rng.int(4, 12)),
    },
    {
      ...base, profile: 'ach', name: demoProfiles.ach, mode: 'autonomous', timeZone: 'America/Los_Angeles',
      paymentMethod: 'ach', clientSince: addDays(today, -3 * 365 - 50), billingDay: 20, seats: 18, seatPriceCents: 15_000,
      lateness: (rng, inv) => (inv.overdueDays >= 0 && inv.overdueDays <= 8 ? null : rng.int(-2, 5)),
    },
    {
      ...base, profile: 'card', name: demoProfiles.card, timeZone: 'America/Los_Angeles', paymentMethod: 'card',
      clientSince: addDays(today, -2 * 365 - 140), billingDay: 8, seats: 12, seatPriceCents: 13_000,
      businessHours: { start: '07:30', end: '18:00', days: [1, 2, 3, 4, 5, 6] },
      // Auto-charged on the due date until the card on file expired.
      lateness: (_rng, inv) => (inv.overdueDays >= 0 && inv.overdueDays <= 20 ? null : 0),
    },
    {
      ...base, profile: 'check', name: demoProfiles.check, timeZone: 'America/New_York', paymentMethod: 'check',
      clientSince: addDays(today, -7 * 365), billingDay: 1, seats: 9, seatPriceCents: 9_500, projectChance: 0.03,
      businessHours: { start: '09:00', end: '15:00', days: [2, 3, 4] },
      lateness: between(8, 22),
    },
    {
      ...base, profile: 'sensitive', name: demoProfiles.sensitive, segment: 'sensitive', timeZone: 'America/Los_Angeles',
      paymentMethod: 'check', clientSince: addDays(today, -4 * 365 - 10), billingDay: 12, seats: 30, seatPriceCents: 12_500,
      lateness: between(10, 25),
    },
    {
      ...base, profile: 'collections', name: demoProfiles.collections, timeZone: 'America/New_York', paymentMethod: 'ach',
      clientSince: addDays(today, -2 * 365 - 220), billingDay: blueHeronBillingDay, seats: 19, seatPriceCents: 12_000,
      projectChance: 0.15, partialOnOldestOpen: false,
      // Paid, slowly, until about four months ago; nothing since.
      lateness: (rng, inv) => (inv.overdueDays >= -60 && inv.overdueDays <= 120 ? null : rng.int(18, 35)),
    },
  ];
}

function genericPlans(rng: Random, today: IsoDate, count: number): Plan[] {
  const names = rng.shuffle(prefixes).slice(0, count).map((p) => `${p} ${rng.pick(industries)}`);
  return names.map((name, i) => {
    const tenureDays = rng.weighted([
      [rng.int(60, 170), 10],
      [rng.int(200, 3 * 365), 45],
      [rng.int(3 * 365, 9 * 365), 45],
    ] as const);
    const archetype = rng.weighted<Archetype>([
      ['onTime', 40],
      ['slightlyLate', 32],
      ['late', 18],
      ['veryLate', 10],
    ]);
    // Two of each, so the segment-specific policies have more than the named client to act on.
    const segment: Segment =
      i < 2 ? 'key_account'
      : i < 4 ? 'sensitive'
      : tenureDays < 180 ? 'new_client'
      : tenureDays >= 4 * 365 && archetype === 'onTime' && rng.chance(0.8) ? 'long_term'
      : 'standard';
    const keyAccount = segment === 'key_account';
    // A couple of offices abroad: the business-hours logic must not assume a US zone.
    const timeZone = i === 5 ? 'Europe/London' : i === 6 ? 'America/Toronto' : rng.weighted(zones);
    const lateness = archetypes[archetype];
    return {
      name,
      segment,
      mode: (segment === 'standard' || segment === 'long_term') && rng.chance(0.25) ? 'autonomous' : 'copilot',
      timeZone,
      paymentMethod: rng.weighted<PaymentMethod>([['ach', 50], ['card', 20], ['check', 20], ['wire', 10]]),
      termsDays: keyAccount ? 45 : rng.weighted([[30, 70], [15, 15], [45, 10], [60, 5]] as const),
      clientSince: addDays(today, -tenureDays),
      billingDay: rng.int(1, 28),
      seats: keyAccount ? rng.int(120, 260) : rng.int(6, 85),
      seatPriceCents: rng.int(19, 34) * 500,
      fixedCents: rng.pick([0, 15_000, 25_000, 40_000]),
      projectChance: keyAccount ? 0.25 : 0.08,
      businessHours: rng.weighted(businessHourVariants),
      lateness: (r) => lateness(r),
      splitChance: archetype === 'late' || archetype === 'veryLate' ? 0.15 : 0,
      partialOnOldestOpen: (archetype === 'late' || archetype === 'veryLate') && rng.chance(0.4),
    };
  });
}

function phoneFor(rng: Random, timeZone: string): string {
  const n = String(rng.int(100, 199)).slice(1);
  if (timeZone === 'Europe/London') return `+44 20 7946 0${n}`;
  const area = rng.pick(areaCodes[timeZone] ?? areaCodes['America/New_York']);
  // 555-0100…0199 are reserved for fiction, so a demo click-to-call never rings a real person.
  return `+1 ${area}-555-01${n}`;
}

export function buildPortfolio(options: {
  today: IsoDate;
  /** Who recorded the demo promise and opened the demo dispute. */
  actors: { callerId: string; clerkId: string };
  genericCount?: number;
}): Portfolio {
  const { today, actors } = options;
  const rng = new Random(DEMO_SEED);
  const plans = [...namedPlans(today), ...genericPlans(rng, today, options.genericCount ?? 49)];
  const out: Portfolio = { accounts: [], contacts: [], invoices: [], payments: [], allocations: [], promises: [], disputes: [], events: [] };
  const at = (date: IsoDate, hour = rng.int(13, 21)) =>
    new Date(`${date}T${String(hour).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00Z`);
  let checkNumber = 4100;

  const planned: { plan: Plan; accountId: string; invoices: Row<typeof schema.invoices>[] }[] = [];
  plans.forEach((plan, i) => {
    const accountId = rng.uuid();
    const domain = `${slug(plan.name.split(' ').slice(0, 2).join(''))}.example`;
    const primaryFirst = rng.pick(firstNames);
    const primaryLast = rng.pick(lastNames);
    out.contacts.push({
      id: rng.uuid(), accountId, name: `${primaryFirst} ${primaryLast}`, email: `ap@${domain}`,
      phone: phoneFor(rng, plan.timeZone), role: 'Accounts Payable', isPrimary: true,
    });
    if (rng.chance(0.6) || plan.profile) {
      const first = rng.pick(firstNames.filter((n) => n !== primaryFirst));
      const last = rng.pick(lastNames);
      out.contacts.push({
        id: rng.uuid(), accountId, name: `${first} ${last}`, email: `${slug(first)}.${slug(last)}@${domain}`,
        phone: phoneFor(rng, plan.timeZone), role: rng.pick(contactRoles), isPrimary: false,
      });
    }

    const invoices: Row<typeof schema.invoices>[] = [];
    let seats = plan.seats;
    for (let monthsBack = 12; monthsBack >= 0; monthsBack--) {
      const issueDate = monthDate(today, monthsBack, plan.billingDay);
      if (issueDate < plan.clientSince || issueDate > today) continue;
      seats = Math.max(3, seats + rng.int(-2, 2));
      const amount = seats * plan.seatPriceCents + plan.fixedCents;
      invoices.push({ id: rng.uuid(), accountId, number: '', issueDate, dueDate: addDays(issueDate, plan.termsDays), amountCents: amount, balanceCents: amount });
      if (rng.chance(plan.projectChance)) {
        const projectIssue = addDays(issueDate, rng.int(5, 20));
        if (projectIssue <= today) {
          const project = rng.int(24, 190) * 5_000;
          invoices.push({ id: rng.uuid(), accountId, number: '', issueDate: projectIssue, dueDate: addDays(projectIssue, plan.termsDays), amountCents: project, balanceCents: project });
        }
      }
    }
    planned.push({ plan, accountId, invoices });
    out.accounts.push({
      id: accountId,
      externalRef: `PSA-${1001 + i}`,
      name: plan.name,
      segment: plan.segment,
      mode: plan.mode,
      timeZone: plan.timeZone,
      businessHours: plan.businessHours,
      paymentTermsDays: plan.termsDays,
      paymentMethod: plan.paymentMethod,
      clientSince: plan.clientSince,
      // Bumped past the workflow's 0 so the reconciler starts every demo account's workflow.
      factsVersion: 1,
    });
  });

  // One MSP, one invoice sequence: numbered in the order they were issued.
  const all = planned.flatMap((p) => p.invoices);
  [...all].sort((a, b) => a.issueDate.localeCompare(b.issueDate)).forEach((inv, n) => (inv.number = `INV-${24001 + n}`));

  const pay = (plan: Plan, accountId: string, amountCents: number, date: IsoDate, invoice: Row<typeof schema.invoices>) => {
    const receivedAt = at(date);
    const id = rng.uuid();
    const reference =
      plan.paymentMethod === 'check' ? `Check #${checkNumber++}`
      : plan.paymentMethod === 'card' ? `Card ending ${rng.pick(['4242', '1881', '0005'])}`
      : plan.paymentMethod === 'wire' ? `Wire ${rng.int(10_000_000, 99_999_999)}`
      : `ACH ${rng.int(100_000_000, 999_999_999)}`;
    out.payments.push({ id, accountId, amountCents, receivedAt, method: plan.paymentMethod, reference });
    out.allocations.push({ paymentId: id, invoiceId: invoice.id!, amountCents });
    invoice.balanceCents -= amountCents;
    if (invoice.balanceCents === 0) {
      invoice.status = 'paid';
      invoice.paidAt = receivedAt;
    }
  };

  for (const { plan, accountId, invoices } of planned) {
    invoices.sort((a, b) => a.issueDate.localeCompare(b.issueDate));
    const open: Row<typeof schema.invoices>[] = [];
    invoices.forEach((invoice, index) => {
      const overdueDays = daysBetween(invoice.dueDate, today);
      const lateness = plan.lateness(rng, { index, overdueDays });
      const earliest = addDays(invoice.issueDate, 1);
      const paidOn = lateness === null ? null : [addDays(invoice.dueDate, lateness), earliest].sort()[1];
      if (paidOn === null || paidOn >= today) {
        open.push(invoice);
        return;
      }
      if (rng.chance(plan.splitChance)) {
        const first = roundTo(invoice.amountCents * (rng.int(40, 60) / 100), 10_000);
        const firstOn = [addDays(paidOn, -rng.int(7, 20)), earliest].sort()[1];
        if (first < invoice.amountCents && firstOn < paidOn) {
          pay(plan, accountId, first, firstOn, invoice);
          return pay(plan, accountId, invoice.amountCents - first, paidOn, invoice);
        }
      }
      pay(plan, accountId, invoice.amountCents, paidOn, invoice);
    });

    const oldestOpen = open[0];
    if (plan.partialOnOldestOpen && oldestOpen) {
      const part = roundTo(oldestOpen.amountCents * (rng.int(30, 60) / 100), 10_000);
      const on = addDays(today, -rng.int(2, 15));
      if (part < oldestOpen.amountCents && on > oldestOpen.issueDate) pay(plan, accountId, part, on, oldestOpen);
    }

    if (plan.profile === 'disputing') {
      const disputed = open.find((inv) => daysBetween(inv.dueDate, today) >= 30);
      if (disputed) {
        const openedAt = at(addDays(disputed.dueDate, 6), 15);
        out.disputes.push({
          id: rng.uuid(), accountId, invoiceId: disputed.id, openedBy: actors.clerkId, openedAt, status: 'open',
          reason: `${disputed.number} bills 48 seats; we reduced to 36 at the start of the quarter. Please send a corrected invoice or a credit note.`,
        });
        out.events.push({ accountId, type: 'dispute.opened', actorId: actors.clerkId, data: { invoiceNumber: disputed.number, occurredAt: openedAt.toISOString() } });
      }
    }
    if (plan.profile === 'promiseToPay' && oldestOpen) {
      const createdAt = at(addDays(today, -2), 17);
      const promisedDate = addDays(today, 4);
      out.promises.push({ id: rng.uuid(), accountId, promisedDate, amountCents: oldestOpen.balanceCents, status: 'open', createdBy: actors.callerId, createdAt });
      out.events.push({ accountId, type: 'promise.recorded', actorId: actors.callerId, data: { promisedDate, amountCents: oldestOpen.balanceCents, occurredAt: createdAt.toISOString() } });
    }
    if (plan.profile === 'habitualLatePayer') {
      // One kept and one broken promise: the tone calibration counts broken promises.
      out.promises.push(
        { id: rng.uuid(), accountId, promisedDate: addDays(today, -230), amountCents: invoices[0]?.amountCents ?? 100_000, status: 'kept', createdBy: actors.callerId, createdAt: at(addDays(today, -236)), resolvedAt: at(addDays(today, -230)) },
        { id: rng.uuid(), accountId, promisedDate: addDays(today, -120), amountCents: invoices[0]?.amountCents ?? 100_000, status: 'broken', createdBy: actors.callerId, createdAt: at(addDays(today, -127)), resolvedAt: at(addDays(today, -117)) },
      );
    }
  }

  out.invoices = all;
  for (const account of out.accounts) {
    account.balanceCents = all.filter((inv) => inv.accountId === account.id).reduce((sum, inv) => sum + (inv.balanceCents ?? 0), 0);
  }
  return out;
}
