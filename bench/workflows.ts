/**
 * Baseline workflows the figures are compared against. They do the least a workflow can do, so the
 * ratio shows what Tactful's own logic costs on top of Temporal.
 */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export interface NoopActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<NoopActivities>({ startToCloseTimeout: '30 seconds' });

/** Throughput baseline: one activity, then done. */
export async function noopActivityWorkflow(): Promise<void> {
  await noop();
}

export const pingSignal = defineSignal<[number]>('ping');
export const seenQuery = defineQuery<number>('seen');

/** Memory and signal baseline: sleeps forever, counts signals. */
export async function helloWorkflow(): Promise<void> {
  let seen = 0;
  setHandler(pingSignal, (n) => {
    seen = Math.max(seen, n);
  });
  setHandler(seenQuery, () => seen);
  await condition(() => seen < 0);
}
