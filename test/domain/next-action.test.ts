/**
 * One test (at least) per rule of the escalation engine. The account is in New York with no payment
 * history (neutral warmth), so tones are the steps' base tones unless a test says otherwise.
 * Invoice A is due Monday 2 June 2025: D+3 = Thu 5 Jun, D+10 = Thu 12 Jun, D+21 = Mon 23 Jun, D+30 = Wed 2 Jul.
 */
import {
  PolicyDefinition,
  defaultPolicy,
  defaultPolicyInput,
  keyAccountPolicy,
  nextAction,
  type AccountFacts,
  type NextAction,
  type PolicyDefinitionInput,
  type SentFact,
} from '../../domain';
import { NY, account, at, invoice, paidHistory, runSeason, wall } from './fixtures';

const A = invoice('A', '2025-06-02', 40_000);
const CYCLE = 'A:2025-06-02';
const base = account({ invoices: [A] });
const sent = (stepId: string, date: string, cycleKey = CYCLE, time = '09:00'): SentFact => ({ stepId, cycleKey, sentAt: at(date, time) });

function ask(facts: Partial<AccountFacts>, now: string, policy: PolicyDefinition = defaultPolicy, pendingDecision = false) {
  return nextAction({ policy, facts: { ...base, ...facts }, now, pendingDecision });
}
function act(r: NextAction) {
  if (r.type !== 'act') throw new Error(`expected act, got ${JSON.stringify(r)}`);
  return { ...r, when: wall(r.at, NY) };
}
function wait(r: NextAction) {
  if (r.type !== 'wait') throw new Error(`expected wait, got ${JSON.stringify(r)}`);
  return { ...r, when: wall(r.until, NY) };
}
function policy(steps: PolicyDefinitionInput['steps'], rules: Partial<PolicyDefinition['rules']> = {}) {
  return PolicyDefinition.parse({ name: 'test', steps, rules: { ...defaultPolicy.rules, ...rules } });
}
const email = (id: string, offsetDays: number, extra: object = {}) => ({
  id,
  kind: 'first_reminder' as const,
  label: id,
  offsetDays,
  channel: 'email' as const,
  baseTone: 'neutral' as const,
  sensitive: false,
  ...extra,
});
const defaultSteps = defaultPolicyInput.steps;
const allSentThrough = (last: string) => {
  const days: Record<string, string> = {
    prevention: '2025-05-30',
    first_reminder: '2025-06-05',
    second_reminder: '2025-06-12',
    final_notice: '2025-06-23',
    call: '2025-07-02',
    service_pause: '2025-07-07',
  };
  const ids = Object.keys(days);
  return ids.slice(0, ids.indexOf(last) + 1).map((id) => sent(id, days[id]));
};

describe('when nothing is to be done', () => {
  it('is idle without an open balance: paid, zero-balance and void invoices do not count', () => {
    const invoices = [
      invoice('P', '2025-05-01', 0, { paidAt: at('2025-05-01') }),
      invoice('V', '2025-05-15', 30_000, { status: 'void' }),
    ];
    expect(ask({ invoices }, at('2025-06-05'))).toEqual({ type: 'idle', reason: 'no_open_balance', skipped: [] });
  });

  it('stops for an open dispute, even when a step is due', () => {
    const disputes = [{ id: 'd1', status: 'open' as const, reason: 'hours billed', openedAt: at('2025-06-03') }];
    expect(ask({ disputes }, at('2025-06-05'))).toMatchObject({ type: 'idle', reason: 'dispute_open' });
  });

  it('stops while a manager has paused the account', () => {
    expect(ask({ paused: true }, at('2025-06-05'))).toMatchObject({ type: 'idle', reason: 'paused' });
  });

  it('waits for a pending decision before planning another step', () => {
    expect(ask({}, at('2025-06-05'), defaultPolicy, true)).toMatchObject({ type: 'idle', reason: 'awaiting_decision' });
  });

  it('is complete once every step is done', () => {
    const r = ask({ invoices: [invoice('A', '2025-06-02', 80_000)], sent: [...allSentThrough('service_pause'), sent('collections', '2025-09-02')] }, at('2025-10-01'));
    expect(r).toEqual({ type: 'idle', reason: 'escalation_complete', skipped: [] });
  });
});

describe('the stage follows the oldest unpaid invoice', () => {
  const C = invoice('C', '2025-07-02', 25_000);

  it('anchors on the oldest open invoice and covers all open ones', () => {
    const r = act(ask({ invoices: [C, invoice('P', '2025-05-01', 0), A] }, at('2025-06-05')));
    expect(r.step).toMatchObject({
      stepId: 'first_reminder',
      cycleKey: 'A:2025-06-02',
      invoiceIds: ['A', 'C'],
      balanceCents: 65_000,
      daysPastDue: 3,
    });
  });

  it('keeps the anchor after a partial payment that leaves the oldest invoice unpaid', () => {
    const r = act(ask({ invoices: [{ ...A, balanceCents: 5_000 }, C], sent: [sent('first_reminder', '2025-06-05')] }, at('2025-06-12')));
    expect(r.step).toMatchObject({ stepId: 'second_reminder', cycleKey: CYCLE, balanceCents: 30_000 });
  });

  it('re-anchors to the next oldest invoice when a payment clears the oldest', () => {
    const paidA = { ...A, balanceCents: 0, status: 'paid' as const, paidAt: at('2025-06-10') };
    const r = wait(ask({ invoices: [paidA, C], sent: [sent('first_reminder', '2025-06-05')] }, at('2025-06-12')));
    // C's D-3 is Sunday 29 June.
    expect(r).toMatchObject({ reason: 'next_step', nextStepId: 'prevention', when: '2025-06-30 09:00 Mon' });
    expect(act(ask({ invoices: [paidA, C], sent: [sent('first_reminder', '2025-06-05')] }, r.until)).step.cycleKey).toBe('C:2025-07-02');
  });

  it('re-anchors onto an overdue invoice at the step that applies to it now', () => {
    const paidA = { ...A, balanceCents: 0, status: 'paid' as const, paidAt: at('2025-06-13') };
    const D = invoice('D', '2025-06-04', 25_000);
    const r = act(ask({ invoices: [paidA, D], sent: allSentThrough('second_reminder') }, at('2025-06-16')));
    expect(r.step).toMatchObject({ stepId: 'second_reminder', cycleKey: 'D:2025-06-04', daysPastDue: 12 });
    expect(r.skipped.map((s) => s.stepId)).toEqual(['prevention', 'first_reminder']);
  });
});

describe('steps already sent', () => {
  it('are done for their cycle: the next step waits for its day', () => {
    const r = wait(ask({ sent: [sent('prevention', '2025-05-30'), sent('first_reminder', '2025-06-05')] }, at('2025-06-06')));
    expect(r).toMatchObject({ reason: 'next_step', nextStepId: 'second_reminder', when: '2025-06-12 09:00 Thu', skipped: [] });
  });

  it('count only for their own cycle', () => {
    const r = act(ask({ sent: [sent('first_reminder', '2025-05-20', 'OLD:2025-05-17')] }, at('2025-06-05')));
    expect(r.step.stepId).toBe('first_reminder');
  });

  it('close off every earlier step that was not sent', () => {
    const r = wait(ask({ sent: [sent('second_reminder', '2025-06-12')] }, at('2025-06-13')));
    expect(r.nextStepId).toBe('final_notice');
  });
});

describe('catch-up', () => {
  const late = invoice('L', '2025-06-04', 40_000);

  it('sends only the latest applicable step to an account imported 20 days late', () => {
    const r = act(ask({ invoices: [late] }, at('2025-06-24', '10:00')));
    expect(r.step).toMatchObject({ stepId: 'second_reminder', daysPastDue: 20 });
    expect(r.when).toBe('2025-06-24 10:00 Tue');
    expect(r.skipped).toEqual([
      { stepId: 'prevention', cycleKey: 'L:2025-06-04', reason: 'its window ended on D+0' },
      { stepId: 'first_reminder', cycleKey: 'L:2025-06-04', reason: 'its window ended on D+9' },
    ]);
  });

  it('gives that account one message, not three, and the final notice only the policy\'s spacing after it', () => {
    const { log } = runSeason({ policy: defaultPolicy, facts: account({ invoices: [late] }), from: '2025-06-24', to: '2025-07-03' });
    expect(log.map((e) => [e.when, e.stepId])).toEqual([
      ['2025-06-24 09:00 Tue', 'second_reminder'],
      ['2025-07-01 09:00 Tue', 'final_notice'],
    ]);
    const spaced = PolicyDefinition.parse({ ...defaultPolicyInput, rules: { ...defaultPolicy.rules, catchUpSpacingDays: 10 } });
    const later = runSeason({ policy: spaced, facts: account({ invoices: [late] }), from: '2025-06-24', to: '2025-07-06' }).log;
    expect(later.map((e) => [e.when, e.stepId])).toEqual([
      ['2025-06-24 09:00 Tue', 'second_reminder'],
      ['2025-07-04 09:00 Fri', 'final_notice'],
    ]);
    for (const bad of [0, 61, 2.5]) {
      expect(PolicyDefinition.safeParse({ ...defaultPolicyInput, rules: { ...defaultPolicy.rules, catchUpSpacingDays: bad } }).success).toBe(false);
    }
  });

  it('opens a cycle caught up 46 days late with a firm written reminder, never with a call or a pause', () => {
    const r = act(ask({ invoices: [late] }, at('2025-07-21', '10:00')));
    expect(r.step).toMatchObject({ stepId: 'second_reminder', tone: 'firm', daysPastDue: 47 });
    // Nothing is recorded as passed over: the final notice and the call are deferred, not skipped.
    expect(r.skipped.map((s) => s.stepId)).toEqual(['prevention', 'first_reminder']);
    const { log } = runSeason({ policy: defaultPolicy, facts: account({ invoices: [late] }), from: '2025-07-21', to: '2025-08-06' });
    expect(log.map((e) => [e.when, e.stepId])).toEqual([
      ['2025-07-21 09:00 Mon', 'second_reminder'],
      ['2025-07-28 09:00 Mon', 'final_notice'],
      ['2025-07-31 09:00 Thu', 'call'],
      ['2025-08-04 09:00 Mon', 'service_pause'],
    ]);
  });

  it('never recommends a pause or collections before a written message went out in the cycle', () => {
    const noWriting = policy([{ ...defaultSteps[6], offsetDays: 91, conditions: {} }]);
    expect(ask({ invoices: [invoice('A', '2025-01-02', 90_000)] }, at('2025-07-15'), noWriting)).toMatchObject({ type: 'idle', reason: 'escalation_complete' });
    const rejected: SentFact = { ...sent('second_reminder', '2025-06-12'), delivered: false };
    const calledOnly = [rejected, sent('call', '2025-07-02')];
    expect(ask({ invoices: [invoice('A', '2025-06-02', 90_000)], sent: calledOnly }, at('2025-07-10'))).not.toMatchObject({ type: 'act', step: { stepId: 'service_pause' } });
  });

  it('passes over earlier due steps as superseded when no window closed them', () => {
    const p = policy([email('r1', 3), email('r2', 10), email('r3', 21)]);
    const r = act(ask({}, at('2025-06-17'), p));
    expect(r.step.stepId).toBe('r2');
    expect(r.skipped).toEqual([{ stepId: 'r1', cycleKey: CYCLE, reason: expect.stringMatching(/^superseded by r2/) }]);
  });

  it('skips a step past its window and waits for the next one', () => {
    const r = wait(ask({}, at('2025-06-28')));
    expect(r).toMatchObject({ nextStepId: 'call', when: '2025-07-02 09:00 Wed' });
    expect(r.skipped.map((s) => [s.stepId, s.reason])).toEqual([
      ['prevention', 'its window ended on D+0'],
      ['first_reminder', 'its window ended on D+9'],
      ['second_reminder', 'its window ended on D+20'],
      ['final_notice', 'its window ended on D+25'],
    ]);
  });

  it('does not skip steps that a weekend merely bunched together', () => {
    const p = policy([email('a', 5), email('b', 6)]);
    const r = act(ask({}, at('2025-06-09', '08:00'), p));
    expect(r.step.stepId).toBe('a');
    expect(r.skipped).toEqual([]);
    expect(wait(ask({ sent: [sent('a', '2025-06-09')] }, at('2025-06-10'), p))).toMatchObject({ reason: 'cool_down', nextStepId: 'b', when: '2025-06-12 09:00 Thu' });
  });
});

describe('cool-down', () => {
  it('holds the next step until the cool-down has passed', () => {
    const r = wait(ask({ sent: [sent('first_reminder', '2025-06-10')] }, at('2025-06-12', '08:00')));
    expect(r).toMatchObject({ reason: 'cool_down', nextStepId: 'second_reminder', when: '2025-06-13 09:00 Fri' });
    expect(act(ask({ sent: [sent('first_reminder', '2025-06-10')] }, r.until)).step.stepId).toBe('second_reminder');
  });

  it('counts follow-ups of every cycle of the account, and lands in business hours', () => {
    const r = wait(ask({ sent: [sent('second_reminder', '2025-06-04', 'OLD:2025-05-20')] }, at('2025-06-05')));
    // Three days after Wednesday is Saturday.
    expect(r).toMatchObject({ reason: 'cool_down', when: '2025-06-09 09:00 Mon' });
  });

  it('delays a future step that would fall inside the cool-down', () => {
    const r = wait(ask({ sent: [sent('other', '2025-06-10', 'OLD:2025-05-20')] }, at('2025-06-06'), policy([email('r2', 10)])));
    expect(r).toMatchObject({ reason: 'cool_down', nextStepId: 'r2', when: '2025-06-13 09:00 Fri' });
    // From a Wednesday, the cool-down ends on a Saturday.
    const w = wait(ask({ sent: [sent('other', '2025-06-11', 'OLD:2025-05-20')] }, at('2025-06-06'), policy([email('r2', 10)])));
    expect(w).toMatchObject({ reason: 'cool_down', when: '2025-06-16 09:00 Mon' });
  });

  it('can be switched off', () => {
    const r = ask({ sent: [sent('first_reminder', '2025-06-11')] }, at('2025-06-12'), policy(defaultSteps, { coolDownDays: 0 }));
    expect(act(r).step.stepId).toBe('second_reminder');
  });
});

describe('business hours', () => {
  it('moves a send due at 7:00 local to 9:00', () => {
    expect(act(ask({}, at('2025-06-05', '07:00'))).when).toBe('2025-06-05 09:00 Thu');
  });

  it('acts right away inside business hours', () => {
    expect(act(ask({}, at('2025-06-05', '13:15'))).when).toBe('2025-06-05 13:15 Thu');
  });

  it('moves an evening to the next morning and a Saturday to Monday', () => {
    expect(act(ask({}, at('2025-06-05', '19:00'))).when).toBe('2025-06-06 09:00 Fri');
    expect(act(ask({}, at('2025-06-07', '10:00'))).when).toBe('2025-06-09 09:00 Mon');
  });

  it('moves a holiday to the next working day, for waits as well', () => {
    expect(act(ask({ holidays: ['2025-06-05'] }, at('2025-06-05', '08:00'))).when).toBe('2025-06-06 09:00 Fri');
    const sentSoFar = [sent('first_reminder', '2025-06-05')];
    expect(wait(ask({ holidays: ['2025-06-12'], sent: sentSoFar }, at('2025-06-06'))).when).toBe('2025-06-13 09:00 Fri');
  });

  it('puts call tasks in business hours too', () => {
    const r = act(ask({ holidays: ['2025-07-02'], sent: allSentThrough('final_notice') }, at('2025-07-02', '07:00')));
    expect(r.step).toMatchObject({ stepId: 'call', channel: 'call_task' });
    expect(r.when).toBe('2025-07-03 09:00 Thu');
  });

  it('uses the client’s own time zone', () => {
    const r = act(ask({ timeZone: 'Asia/Tokyo' }, '2025-06-04T20:00:00Z'));
    expect(r.at).toBe('2025-06-05T00:00:00.000Z'); // 09:00 in Tokyo on D+3
  });
});

describe('promises to pay', () => {
  const promise = (status: 'open' | 'broken' | 'kept', promisedDate: string, made: string) => ({
    id: 'p1',
    promisedDate,
    status,
    createdAt: at(made, '11:00'),
  });
  const twoSent = [sent('prevention', '2025-05-30'), sent('first_reminder', '2025-06-05')];

  it('pause escalation until the promised date plus grace', () => {
    const r = wait(ask({ promises: [promise('open', '2025-06-10', '2025-06-04')] }, at('2025-06-05')));
    expect(r).toMatchObject({ reason: 'promise_open', when: '2025-06-13 09:00 Fri', skipped: [] });
  });

  it('resume one notch firmer after a promise marked broken', () => {
    const normal = act(ask({ sent: twoSent }, at('2025-06-12')));
    expect(normal.step).toMatchObject({ stepId: 'second_reminder', tone: 'neutral', sensitiveReasons: [] });
    const r = act(ask({ sent: twoSent, promises: [promise('broken', '2025-06-09', '2025-06-06')] }, at('2025-06-12')));
    expect(r.step).toMatchObject({ stepId: 'second_reminder', tone: 'firm', sensitiveReasons: ['broken_promise'] });
  });

  it('treat an open promise past its date and grace as broken', () => {
    const r = act(ask({ sent: twoSent, promises: [promise('open', '2025-06-09', '2025-06-06')] }, at('2025-06-12')));
    expect(r.step).toMatchObject({ stepId: 'second_reminder', tone: 'firm', sensitiveReasons: ['broken_promise'] });
  });

  it('bring the next step forward when none is due yet', () => {
    const r = act(ask({ sent: twoSent, promises: [promise('broken', '2025-06-06', '2025-06-05')] }, at('2025-06-09', '08:00')));
    expect(r.step).toMatchObject({ stepId: 'second_reminder', tone: 'neutral', daysPastDue: 7, sensitiveReasons: ['broken_promise'] });
    expect(r.when).toBe('2025-06-09 09:00 Mon');
  });

  it('stop pushing firmer once a follow-up has gone out since', () => {
    const r = act(
      ask({ sent: [...twoSent, sent('second_reminder', '2025-06-09')], promises: [promise('broken', '2025-06-06', '2025-06-05')] }, at('2025-06-23')),
    );
    expect(r.step).toMatchObject({ stepId: 'final_notice', tone: 'neutral', sensitiveReasons: ['step_sensitive'] });
  });

  it('from an earlier cycle do not change this one', () => {
    const r = act(ask({ sent: twoSent, promises: [promise('broken', '2025-04-10', '2025-04-01')] }, at('2025-06-12')));
    expect(r.step).toMatchObject({ tone: 'neutral', sensitiveReasons: [] });
  });

  it('that were kept rule out a service pause, and broken ones allow it', () => {
    const facts = { sent: allSentThrough('call') };
    const kept = wait(ask({ ...facts, invoices: [invoice('A', '2025-06-02', 90_000)], promises: [promise('kept', '2025-06-20', '2025-06-15')] }, at('2025-07-07')));
    expect(kept.nextStepId).toBe('collections');
    const broken = act(ask({ ...facts, promises: [promise('broken', '2025-06-20', '2025-06-15')] }, at('2025-07-07')));
    expect(broken.step).toMatchObject({ stepId: 'service_pause', daysPastDue: 35 });
  });
});

describe('disputes', () => {
  it('keep steps with a person for a while after being resolved', () => {
    const resolved = (on: string) => [{ id: 'd1', status: 'resolved' as const, reason: 'x', openedAt: at('2025-04-01'), resolvedAt: at(on) }];
    expect(act(ask({ disputes: resolved('2025-06-01') }, at('2025-06-05'))).step.sensitiveReasons).toEqual(['recent_dispute']);
    expect(act(ask({ disputes: resolved('2025-04-20') }, at('2025-06-05'))).step.sensitiveReasons).toEqual([]);
  });
});

describe('step conditions', () => {
  it('pass over a step below its minimum balance', () => {
    const p = policy([email('small', 3), email('big', 10, { conditions: { minBalanceCents: 50_000 } }), email('later', 21)]);
    const facts = { sent: [sent('small', '2025-06-05')] };
    expect(wait(ask(facts, at('2025-06-12'), p))).toMatchObject({ nextStepId: 'later', when: '2025-06-23 09:00 Mon' });
    expect(act(ask({ ...facts, invoices: [invoice('A', '2025-06-02', 50_000)] }, at('2025-06-12'), p)).step.stepId).toBe('big');
  });

  it('pass over a step meant for other segments', () => {
    const p = policy([email('keyonly', 3, { conditions: { segments: ['key_account'] } }), email('all', 10)]);
    expect(wait(ask({}, at('2025-06-05'), p)).nextStepId).toBe('all');
    expect(act(ask({ segment: 'key_account' }, at('2025-06-05'), p)).step.stepId).toBe('keyonly');
  });

  it('never recommend a service pause before day 31, whatever the policy says', () => {
    const p = policy([email('r', 3), { ...defaultSteps[5], offsetDays: 20, conditions: {} }]);
    const r = wait(ask({ sent: [sent('r', '2025-06-05')] }, at('2025-06-25'), p));
    expect(r).toMatchObject({ nextStepId: 'service_pause', when: '2025-07-03 09:00 Thu' });
  });

  it('recommend collections only past 90 days and at or above the floor', () => {
    const facts = { sent: allSentThrough('service_pause') };
    expect(ask({ ...facts, invoices: [invoice('A', '2025-06-02', 74_999)] }, at('2025-07-10'))).toMatchObject({ type: 'idle', reason: 'escalation_complete' });
    const w = wait(ask({ ...facts, invoices: [invoice('A', '2025-06-02', 75_000)] }, at('2025-07-10')));
    expect(w).toMatchObject({ nextStepId: 'collections', when: '2025-09-01 09:00 Mon' });
    const early = policy([email('r', 3), { ...defaultSteps[6], offsetDays: 40, conditions: {} }]);
    const wrote = { sent: [sent('r', '2025-06-05')] };
    expect(wait(ask({ ...wrote, invoices: [invoice('A', '2025-06-02', 75_000)] }, at('2025-07-15'), early)).when).toBe('2025-09-01 09:00 Mon');
    expect(ask({ ...wrote, invoices: [invoice('A', '2025-06-02', 60_000)] }, at('2025-07-15'), early)).toMatchObject({ type: 'idle', reason: 'escalation_complete' });
  });
});

describe('why a person must decide', () => {
  it('lets routine reminders go out on their own', () => {
    expect(act(ask({}, at('2025-06-05'))).step.sensitiveReasons).toEqual([]);
  });

  it('holds final notices, calls, pauses and collections', () => {
    expect(act(ask({ sent: allSentThrough('second_reminder') }, at('2025-06-23'))).step.sensitiveReasons).toEqual(['step_sensitive']);
    expect(act(ask({ sent: allSentThrough('final_notice') }, at('2025-07-02'))).step.sensitiveReasons).toEqual(['human_only']);
    const collections = act(ask({ invoices: [invoice('A', '2025-06-02', 80_000)], sent: allSentThrough('service_pause') }, at('2025-09-01')));
    expect(collections.step).toMatchObject({ stepId: 'collections', channel: 'recommendation', sensitiveReasons: ['step_sensitive', 'human_only'] });
  });

  it('holds a final notice even when a policy forgot to mark it sensitive', () => {
    const p = policy(defaultSteps.map((s) => ({ ...s, sensitive: false })));
    expect(act(ask({ sent: allSentThrough('second_reminder') }, at('2025-06-23'), p)).step.sensitiveReasons).toEqual(['step_sensitive']);
  });

  it('holds everything for key and sensitive accounts and large balances', () => {
    expect(act(ask({ segment: 'key_account' }, at('2025-06-05'))).step.sensitiveReasons).toEqual(['key_account']);
    expect(act(ask({ segment: 'key_account' }, at('2025-06-05'), keyAccountPolicy)).step.sensitiveReasons).toEqual(['step_sensitive', 'key_account']);
    expect(act(ask({ segment: 'sensitive' }, at('2025-06-05'))).step.sensitiveReasons).toEqual(['sensitive_segment']);
    const large = defaultPolicy.rules.largeBalanceCents;
    expect(act(ask({ invoices: [invoice('A', '2025-06-02', large)] }, at('2025-06-05'))).step.sensitiveReasons).toEqual(['large_balance']);
    expect(act(ask({ invoices: [invoice('A', '2025-06-02', large - 1)] }, at('2025-06-05'))).step.sensitiveReasons).toEqual([]);
  });
});

describe('tone of the planned step', () => {
  it('reads warmer for a good client and firmer for a late payer at the same stage', () => {
    const facts = (lateDays: number[]) => ({
      clientSince: '2022-01-01',
      invoices: [...paidHistory('2025-05-01', lateDays), A],
      sent: allSentThrough('first_reminder'),
    });
    expect(act(ask(facts(Array(10).fill(0)), at('2025-06-12'))).step.tone).toBe('warm');
    expect(act(ask(facts(Array(10).fill(30)), at('2025-06-12'))).step.tone).toBe('firm');
  });
});

describe('the final notice', () => {
  it('states an interruption date ten days on, on a working day', () => {
    const r = act(ask({ sent: allSentThrough('second_reminder') }, at('2025-06-23')));
    expect(r.step.interruptionDate).toBe('2025-07-03');
    const r2 = act(ask({ sent: allSentThrough('second_reminder'), holidays: ['2025-07-03', '2025-07-04'] }, at('2025-06-23')));
    expect(r2.step.interruptionDate).toBe('2025-07-07');
    expect(act(ask({}, at('2025-06-05'))).step.interruptionDate).toBeUndefined();
  });
});

describe('determinism', () => {
  afterEach(() => jest.restoreAllMocks());

  it('does not depend on the machine clock and answers the same facts the same way', () => {
    // luxon consults Date.now() while parsing even when every field is given; the answer must not change.
    let fake = Date.parse('1999-12-31T23:59:00Z');
    jest.spyOn(Date, 'now').mockImplementation(() => (fake += 7_777_777_777));
    const run = () => runSeason({ policy: defaultPolicy, facts: base, from: '2025-05-20', to: '2025-09-30' }).log;
    const first = run();
    expect(first.map((e) => e.stepId)).toEqual(['prevention', 'first_reminder', 'second_reminder', 'final_notice', 'call', 'service_pause']);
    expect(run()).toEqual(first);
  });

  it('gives the same answer when asked again at the moment it named', () => {
    for (let day = 0; day < 60; day++) {
      const now = new Date(Date.parse('2025-05-25T15:00:00Z') + day * 86_400_000).toISOString();
      const r = ask({ sent: [sent('prevention', '2025-05-30')] }, now);
      if (r.type === 'act') expect(ask({ sent: [sent('prevention', '2025-05-30')] }, r.at)).toEqual(r);
      if (r.type === 'wait') {
        const again = ask({ sent: [sent('prevention', '2025-05-30')] }, r.until);
        expect(again.type === 'act' && again.at).toBe(r.until);
      }
    }
  });
});
