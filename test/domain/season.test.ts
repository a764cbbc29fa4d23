/**
 * Full seasons for five client profiles: "now" moves forward day by day and every act is marked sent,
 * the way the account workflow does. Each asserts exactly which steps go out on which local business
 * days, in which tone, and that following the engine's own wake-up times gives the same schedule.
 */
import {
  defaultPolicies,
  defaultPolicy,
  localTime,
  paymentMethodHint,
  policyForSegment,
  toneFactsFromHistory,
  warmth,
  type AccountFacts,
} from '../../domain';
import { account, at, followSchedule, invoice, paidHistory, payInFull, runSeason } from './fixtures';

const brief = (log: ReturnType<typeof runSeason>['log']) => log.map((e) => [e.when, e.stepId, e.tone]);

describe('a long-term client who always pays on time', () => {
  const facts = account({
    clientSince: '2022-03-01',
    holidays: ['2025-07-04'],
    invoices: [...paidHistory('2025-06-01', Array(12).fill(0)), invoice('A', '2025-07-07', 120_000)],
  });
  const season = runSeason({
    policy: policyForSegment(defaultPolicies, facts.segment),
    facts,
    from: '2025-06-20',
    to: '2025-09-30',
    events: { '2025-07-21': (f) => payInFull(f, 'A', at('2025-07-21', '07:30')) },
  });

  it('is written to warmly', () => {
    expect(warmth(toneFactsFromHistory(facts, at('2025-07-01'))).level).toBe('warm');
  });

  it('gets warm messages on business days, and nothing after paying', () => {
    expect(brief(season.log)).toEqual([
      // D-3 is the 4th of July (a holiday) and then a weekend: the heads-up goes out on the due date.
      ['2025-07-07 09:00 Mon', 'prevention', 'warm'],
      ['2025-07-10 09:00 Thu', 'first_reminder', 'warm'],
      // The businesslike second reminder reads warm for this client.
      ['2025-07-17 09:00 Thu', 'second_reminder', 'warm'],
    ]);
    expect(season.log.every((e) => e.sensitiveReasons.length === 0)).toBe(true);
    expect(season.last).toEqual({ type: 'idle', reason: 'no_open_balance', skipped: [] });
  });
});

describe('a habitual late payer', () => {
  const facts = account({
    clientSince: '2023-01-15',
    holidays: ['2025-09-01', '2025-11-27'],
    paymentMethod: 'card',
    invoices: [...paidHistory('2025-07-01', Array(10).fill(30)), invoice('B', '2025-08-01', 90_000)],
  });
  const season = runSeason({ policy: defaultPolicy, facts, from: '2025-07-20', to: '2025-12-31' });

  it('is written to firmly', () => {
    const w = warmth(toneFactsFromHistory(facts, at('2025-07-20')));
    expect(w.level).toBe('firm');
    expect(w.reasons.join('; ')).toMatch(/30 days late on average/);
  });

  it('runs the whole escalation, one notch firmer at every stage', () => {
    expect(brief(season.log)).toEqual([
      ['2025-07-29 09:00 Tue', 'prevention', 'neutral'],
      ['2025-08-04 09:00 Mon', 'first_reminder', 'neutral'],
      ['2025-08-11 09:00 Mon', 'second_reminder', 'firm'],
      ['2025-08-22 09:00 Fri', 'final_notice', 'firm'],
      // D+30 is a Sunday and the Monday is Labor Day.
      ['2025-09-02 09:00 Tue', 'call', 'firm'],
      // D+31 falls inside the cool-down after the call.
      ['2025-09-05 09:00 Fri', 'service_pause', 'firm'],
      ['2025-10-31 09:00 Fri', 'collections', 'firm'],
    ]);
    expect(season.last).toEqual({ type: 'idle', reason: 'escalation_complete', skipped: [] });
  });

  it('states an interruption date on a working day and keeps people on the hard steps', () => {
    const byStep = Object.fromEntries(season.log.map((e) => [e.stepId, e]));
    // Ten days after the notice is Labor Day; service stops the next working day.
    expect(byStep.final_notice.interruptionDate).toBe('2025-09-02');
    expect(byStep.final_notice.sensitiveReasons).toEqual(['step_sensitive']);
    expect(byStep.call.sensitiveReasons).toEqual(['human_only']);
    expect(byStep.service_pause.sensitiveReasons).toEqual(['step_sensitive', 'human_only']);
    expect(byStep.collections.daysPastDue).toBe(91);
    expect(byStep.first_reminder.sensitiveReasons).toEqual([]);
  });

  it('asks a card payer to update the card', () => {
    expect(paymentMethodHint(facts.paymentMethod).topic).toBe('card_update');
  });

  it('produces the same schedule when sleeping on the engine’s wake-up times', () => {
    expect(followSchedule(defaultPolicy, facts, at('2025-07-20', '08:00'), '2025-12-31').map((s) => [s.when, s.stepId, s.tone])).toEqual(
      brief(season.log),
    );
  });
});

describe('a new client in Berlin, across the end of daylight saving time', () => {
  const tz = 'Europe/Berlin';
  const facts = account({
    segment: 'new_client',
    clientSince: '2025-08-15',
    timeZone: tz,
    currency: 'EUR',
    invoices: [invoice('C', '2025-10-15', 200_000)],
  });
  const policy = policyForSegment(defaultPolicies, 'new_client');
  const promiseMade = localTime('2025-10-28', '10:00', tz);
  const season = runSeason({
    policy,
    facts,
    from: '2025-10-01',
    to: '2025-12-31',
    events: {
      '2025-10-28': (f) => ({ ...f, promises: [{ id: 'p1', promisedDate: '2025-11-04', status: 'open', createdAt: promiseMade }] }),
      '2025-11-10': (f) => payInFull(f, 'C', localTime('2025-11-10', '07:00', tz)),
    },
  });

  it('uses the new-client policy and a neutral starting warmth', () => {
    expect(policy.name).toBe('New clients');
    expect(warmth(toneFactsFromHistory(facts, localTime('2025-10-01', '08:00', tz))).level).toBe('neutral');
  });

  it('sends at 09:00 Berlin time on both sides of the clock change, waits for the promise, then resumes firmer', () => {
    expect(brief(season.log)).toEqual([
      ['2025-10-10 09:00 Fri', 'prevention', 'warm'],
      ['2025-10-17 09:00 Fri', 'first_reminder', 'warm'],
      // D+10 is a Saturday; the Monday is after the switch to CET.
      ['2025-10-27 09:00 Mon', 'second_reminder', 'neutral'],
      // Promised for 4 Nov, two days of grace, broken on the 7th: the final notice goes out firm.
      ['2025-11-07 09:00 Fri', 'final_notice', 'firm'],
    ]);
    const sent = season.facts.sent.map((s) => s.sentAt);
    expect(sent).toEqual([
      '2025-10-10T07:00:00.000Z',
      '2025-10-17T07:00:00.000Z',
      '2025-10-27T08:00:00.000Z',
      '2025-11-07T08:00:00.000Z',
    ]);
    expect(season.log[3].sensitiveReasons).toEqual(['step_sensitive', 'broken_promise']);
    expect(season.last.type === 'idle' && season.last.reason).toBe('no_open_balance');
  });
});

describe('a key account with a large balance', () => {
  const facts = account({
    segment: 'key_account',
    clientSince: '2024-10-01',
    holidays: ['2025-07-04'],
    invoices: [...paidHistory('2025-06-01', [0, 0, 12, 14, 15, 16, 18, 20]), invoice('K', '2025-06-30', 3_000_000)],
  });
  const policy = policyForSegment(defaultPolicies, 'key_account');
  const season = runSeason({
    policy,
    facts,
    from: '2025-06-15',
    to: '2025-09-30',
    events: { '2025-07-25': (f) => payInFull(f, 'K', at('2025-07-25', '07:00')) },
  });

  it('is never written to below neutral even with a poor record', () => {
    const w = warmth(toneFactsFromHistory(facts, at('2025-06-15')));
    expect(w.score).toBeLessThanOrEqual(-2);
    expect(w.level).toBe('neutral');
  });

  it('puts every step in front of a person', () => {
    expect(brief(season.log)).toEqual([
      ['2025-06-27 09:00 Fri', 'prevention', 'warm'],
      ['2025-07-03 09:00 Thu', 'first_reminder', 'warm'],
      ['2025-07-10 09:00 Thu', 'second_reminder', 'neutral'],
      ['2025-07-21 09:00 Mon', 'final_notice', 'neutral'],
    ]);
    for (const e of season.log) {
      expect(e.sensitiveReasons).toEqual(expect.arrayContaining(['step_sensitive', 'key_account', 'large_balance']));
    }
  });
});

describe('a check payer whose check clears the oldest of two invoices', () => {
  const tz = 'America/Chicago';
  const addB = (f: AccountFacts): AccountFacts => ({ ...f, invoices: [...f.invoices, invoice('B', '2025-05-29', 80_000)] });
  const facts = account({
    timeZone: tz,
    clientSince: '2024-01-10',
    paymentMethod: 'check',
    holidays: ['2025-05-26'],
    invoices: [...paidHistory('2025-04-01', [0, 0, 5, 0, 5, 0], tz), invoice('A', '2025-04-30', 80_000)],
  });
  const season = runSeason({
    policy: defaultPolicy,
    facts,
    from: '2025-04-20',
    to: '2025-07-31',
    events: {
      '2025-04-29': addB,
      '2025-05-14': (f) => payInFull(f, 'A', localTime('2025-05-14', '07:00', tz)),
      '2025-06-12': (f) => payInFull(f, 'B', localTime('2025-06-12', '07:00', tz)),
    },
  });

  it('follows the oldest invoice, then re-anchors to the next one after the check', () => {
    expect(season.log.map((e) => [e.when, e.stepId, e.tone, e.cycleKey])).toEqual([
      ['2025-04-28 09:00 Mon', 'prevention', 'warm', 'A:2025-04-30'],
      ['2025-05-05 09:00 Mon', 'first_reminder', 'warm', 'A:2025-04-30'],
      ['2025-05-12 09:00 Mon', 'second_reminder', 'neutral', 'A:2025-04-30'],
      // B's D-3 is Memorial Day.
      ['2025-05-27 09:00 Tue', 'prevention', 'warm', 'B:2025-05-29'],
      ['2025-06-02 09:00 Mon', 'first_reminder', 'warm', 'B:2025-05-29'],
      ['2025-06-09 09:00 Mon', 'second_reminder', 'neutral', 'B:2025-05-29'],
    ]);
    expect(season.last.type === 'idle' && season.last.reason).toBe('no_open_balance');
  });

  it('sends at 09:00 Chicago time', () => {
    expect(season.facts.sent[0].sentAt).toBe('2025-04-28T14:00:00.000Z');
  });

  it('asks a check payer to use the remittance address', () => {
    expect(paymentMethodHint(facts.paymentMethod)).toMatchObject({ method: 'check', topic: 'remittance_address' });
  });
});
