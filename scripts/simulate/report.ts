/** Turns a simulation summary into the text `npm run simulate` prints. */
import type { SimulationSummary } from './run';

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const stepOrder = ['prevention', 'first_reminder', 'second_reminder', 'final_notice'];
const byStep = (a: string, b: string) => (stepOrder.indexOf(a) + 1 || 99) - (stepOrder.indexOf(b) + 1 || 99) || a.localeCompare(b);
const list = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function formatSends(summary: SimulationSummary): string[] {
  return summary.sent.map(
    (m) =>
      `day ${pad(m.day, 4)}${m.localWeekday} ${m.localDate} ${m.localTime}  ${pad(m.timeZone, 20)}${pad(m.account, 34)}${pad(`${m.segment}/${m.mode}`, 24)}${pad(m.stepId, 17)}${m.tone}`,
  );
}

export function formatTotals(s: SimulationSummary): string[] {
  const t = s.totals;
  const tones = ['warm', 'neutral', 'firm'];
  const lines = [
    `${s.accounts} accounts × ${s.days} days from Mon ${s.startDate} (seed ${s.seed}, mode ${s.mode})`,
    `invoices ${t.invoices}, payments ${t.payments}, drafts approved by the simulated clerk ${t.approvals}`,
    `messages sent ${t.sent}`,
    `  ${pad('step', 18)}${tones.map((x) => pad(x, 9)).join('')}total`,
    ...Object.keys(t.perStepTone)
      .sort(byStep)
      .map((step) => `  ${pad(step, 18)}${tones.map((x) => pad(t.perStepTone[step][x] ?? 0, 9)).join('')}${t.perStep[step]}`),
    `  ${pad('all', 18)}${tones.map((x) => pad(t.perTone[x] ?? 0, 9)).join('')}${t.sent}`,
    `suppressed at send ${t.suppressed}, withdrawn while waiting ${t.withdrawn}, rejected ${t.rejected}, still waiting at the end ${t.stillWaiting}`,
    `call tasks ${t.callTasks} (outcomes logged: ${list(t.callOutcomes)}), promises: ${list(t.promises)}, manager recommendations: ${list(t.recommendations)}`,
    `steps passed over (catch-up) ${t.stepsSkipped}`,
    `max messages to one account within any 3-day window: ${t.maxMessagesPerAccountIn3Days}`,
    `sent outside the client's business hours: ${t.sentOutsideBusinessHours}; sent after the invoices asked about were paid: ${t.sentAfterPaid}`,
    `workflows not running at the end: ${t.workflowsNotRunning}`,
    `time: setup ${(s.timing.setupMs / 1000).toFixed(1)} s, season ${(s.timing.simulateMs / 1000).toFixed(1)} s (workflows running between ticks ${(s.timing.skipMs / 1000).toFixed(1)} s, ${s.timing.msPerSimulatedDay} ms per simulated day), total ${(s.timing.totalMs / 1000).toFixed(1)} s`,
  ];
  return lines;
}
