/**
 * Reads figures out of workflow histories. Server event times are the clock the figures use: they cost
 * nothing to observe, so measuring does not slow down what is measured.
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { mapLimit, waitUntil } from './stats';

export const EventType = temporal.api.enums.v1.EventType;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export const eventMs = (e: HistoryEvent) => tsToMs(e.eventTime);

export async function histories(client: Client, workflowIds: readonly string[], concurrency = 20): Promise<HistoryEvent[][]> {
  return mapLimit(workflowIds, concurrency, async (id) => (await client.workflow.getHandle(id).fetchHistory()).events ?? []);
}

/**
 * Waits until every workflow has started a timer, i.e. is asleep waiting for its next step or a
 * decision. Only the workflows not yet seen asleep are read again: at 10,000 accounts, reading every
 * history on every poll would itself be the load.
 */
export async function untilEveryTimerStarted(client: Client, workflowIds: readonly string[], what: string, timeoutMs: number, intervalMs: number): Promise<void> {
  const asleep = new Set<string>();
  await waitUntil(
    what,
    async () => {
      const rest = workflowIds.filter((id) => !asleep.has(id));
      const hs = await histories(client, rest);
      hs.forEach((h, i) => h.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) && asleep.add(rest[i]));
      return asleep.size === workflowIds.length;
    },
    timeoutMs,
    intervalMs,
  );
}

/**
 * A state transition is one completed task: a workflow task (the workflow code ran and decided the
 * next commands) or an activity task (a side effect ran). Timers firing and signals arriving are not
 * counted on their own; each of them leads to a workflow task that is.
 */
export function transitions(events: readonly HistoryEvent[]): number {
  return events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED).length;
}

export function lastOf(events: readonly HistoryEvent[], type: temporal.api.enums.v1.EventType): HistoryEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].eventType === type) return events[i];
  return undefined;
}
