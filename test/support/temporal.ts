/** The time-skipping Temporal test server, from the binary the project's resolver finds. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { explainStartFailure, resolveTemporalBinary, sdkExecutable } from '../../scripts/temporal-binaries';

let runtimeInstalled = false;

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    // Workers log at WARN in tests: the suites assert outcomes, not log lines.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const resolved = resolveTemporalBinary('testServer');
  try {
    return await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: sdkExecutable(resolved) },
    });
  } catch (err) {
    throw explainStartFailure('testServer', resolved, err);
  }
}
