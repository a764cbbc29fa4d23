import { decideSend } from '../../domain/drafting/send-decision';
import type { SendDecisionInput } from '../../domain/drafting/send-decision';

const passed = { passed: true, failures: [] };
const draft = (over: Partial<SendDecisionInput['draft']> = {}): SendDecisionInput['draft'] => ({
  source: 'model',
  factCheck: passed,
  proseCheck: passed,
  sensitiveReasons: [],
  ...over,
});

describe('whether a draft needs a person', () => {
  test('autonomous mode sends a checked model draft with no reason on its own', () => {
    expect(decideSend({ mode: 'autonomous', stepSensitiveReasons: [], draft: draft() })).toEqual({ requiresApproval: false, sensitiveReasons: [] });
  });

  test('copilot mode always waits', () => {
    expect(decideSend({ mode: 'copilot', stepSensitiveReasons: [], draft: draft() }).requiresApproval).toBe(true);
  });

  test('a model draft without a passed prose check never goes out alone', () => {
    for (const proseCheck of [undefined, { passed: false, failures: ['states a figure'] }]) {
      const d = decideSend({ mode: 'autonomous', stepSensitiveReasons: [], draft: draft({ proseCheck }) });
      expect(d.requiresApproval).toBe(true);
      expect(d.sensitiveReasons).toEqual(['the model draft has no passed prose check']);
    }
  });

  test('the template fallback after a failed model draft waits with its reason', () => {
    const why = 'the model draft was not used, the template was (attempt 1: failed the prose check)';
    const d = decideSend({ mode: 'autonomous', stepSensitiveReasons: [], draft: draft({ source: 'template', proseCheck: undefined, sensitiveReasons: [why] }) });
    expect(d).toEqual({ requiresApproval: true, sensitiveReasons: [why] });
  });

  test("a failed fact check or the policy's own reason waits", () => {
    expect(decideSend({ mode: 'autonomous', stepSensitiveReasons: [], draft: draft({ factCheck: { passed: false, failures: ['x'] } }) }).requiresApproval).toBe(true);
    expect(decideSend({ mode: 'autonomous', stepSensitiveReasons: ['key account'], draft: draft() })).toEqual({ requiresApproval: true, sensitiveReasons: ['key account'] });
  });
});
