/** Signal-with-start for the account workflow, shared by the reconciler and anything else that writes facts. */
import type { Client } from '@temporalio/client';
import { ACCOUNT_WORKFLOW_TASK_TIMEOUT, TASK_QUEUE, accountWorkflowId, factsChangedSignal, type FactsChanged } from '../workflows/account/definitions';
import type { AccountSignaller } from './reconcile';

export function createTemporalSignaller(client: Client, taskQueue = TASK_QUEUE): AccountSignaller & {
  send(accountId: string, signal: FactsChanged): Promise<void>;
} {
  const send = async (accountId: string, signal: FactsChanged) => {
    await client.workflow.signalWithStart('accountWorkflow', {
      workflowId: accountWorkflowId(accountId),
      taskQueue,
      workflowTaskTimeout: ACCOUNT_WORKFLOW_TASK_TIMEOUT,
      args: [{ accountId }],
      signal: factsChangedSignal,
      signalArgs: [signal],
    });
  };
  return {
    send,
    factsChanged: (accountId, factsVersion) => send(accountId, { factsVersion, change: 'reconcile' }),
  };
}
