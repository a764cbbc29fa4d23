import { evaluateDrafts, formatReport, loadDraftFixtures } from '../../scripts/eval-drafts';
import { createTemplateDrafter } from '../../domain/drafting/templates';
import { stepKinds, } from '../../domain/policy/schema';
import { paymentMethods, tones } from '../../domain/facts';

describe('draft evaluation fixtures', () => {
  const fixtures = loadDraftFixtures();

  test('cover every step, tone and payment method in at least 30 scenarios', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect(new Set(fixtures.map((f) => f.input.step.kind))).toEqual(new Set(stepKinds));
    expect(new Set(fixtures.map((f) => f.input.step.tone))).toEqual(new Set(tones));
    expect(new Set(fixtures.map((f) => f.input.facts.paymentMethod))).toEqual(new Set(paymentMethods));
    const names = fixtures.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['second_reminder-long-term-client', 'second_reminder-habitual-late-payer', 'second_reminder-partial-payment', 'first_reminder-four-invoices']));
  });

  test('the template drafter scores 100% with no forbidden language', async () => {
    const report = await evaluateDrafts(createTemplateDrafter(), fixtures);
    expect(report.outcomes.filter((o) => !o.passed)).toEqual([]);
    expect(report.passRate).toBe(1);
    expect(report.languageHits).toBe(0);
    expect(formatReport(report, 'template')).toMatch(/Fact-check pass rate: 100\.0%/);
  });

  test('the same stage reads differently for a long-term client and a habitual late payer', async () => {
    const [longTerm, late] = ['second_reminder-long-term-client', 'second_reminder-habitual-late-payer'].map((n) => fixtures.find((f) => f.name === n)!);
    const drafter = createTemplateDrafter();
    const a = await drafter.draft(longTerm.input);
    const b = await drafter.draft(late.input);
    expect(a.tone).toBe('warm');
    expect(b.tone).toBe('firm');
    expect(b.bodyText).toMatch(/You let us know payment would be made by March 10, 2025/);
    expect(a.bodyText).not.toMatch(/You let us know/);
  });
});
