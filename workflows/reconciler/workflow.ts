/**
 * Run by a Temporal schedule: finds accounts whose facts moved on without their workflow hearing of
 * it (a crash between the database write and the signal) and signals them again.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities } from '../../activities/reconcile';

const { resignalDrifted } = proxyActivities<ReconcileActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export async function reconcilerWorkflow(input: { graceSeconds?: number; limit?: number } = {}): Promise<{ signalled: number }> {
  return resignalDrifted({ graceSeconds: input.graceSeconds ?? 60, limit: input.limit ?? 5000 });
}
