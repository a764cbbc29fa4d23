/**
 * Killing the worker in the middle of a send never delivers an email twice.
 *
 * The worker runs as a child process with the real SMTP mailer and a real SMTP peer that counts what
 * it accepted. Once the message is handed to SMTP, the worker cannot know from its own state whether
 * the server accepted it; SMTP cannot be asked afterwards. So the retry, finding the send left in
 * `sending`, does not deliver again: it marks the message "may have been sent at …" for a person.
 * Before this, a worker killed after the server accepted delivered the same email twice.
 */
import { useCrashHarness } from '../support/crash-harness';
import { waitFor } from '../support/fixtures';
import { accountWorkflowId } from '../../workflows/account/definitions';

const h = useCrashHarness('held');

it('a worker killed while SMTP holds the message: nothing is delivered blindly, the message waits for a person', async () => {
  const [env, peer] = [h.env(), h.peer()];
  const first = h.startWorker();
  await first.ready;
  const { accountId, due } = await h.accountAboutToSend('ap@held.test');
  // Skip to a second before the send is due while nothing runs. From here on no env.sleep is pending
  // while an activity is outstanding: the server then holds its clock to real time, and a sleep call
  // held open that long does not come back on this test server.
  const held = peer.stallNextData();
  await env.sleep(due - (await env.currentTimeMs()) - 1_000);
  const stalled = await held;
  expect(stalled.to).toEqual(['ap@held.test']);

  await first.kill();
  expect((await first.exited).signal).toBe('SIGKILL');
  await waitFor('the peer to see the connection drop', async () => peer.abandoned.length === 1);

  const second = h.startWorker();
  await second.ready;
  await h.expectFlaggedForAPerson(accountId);
  await env.sleep('3 days');
  expect(peer.received.filter((m) => m.to.includes('ap@held.test'))).toHaveLength(0);
  await second.stop();
  // Its next steps would hold the test server's clock for the next test, with no worker to run them.
  await env.client.workflow.getHandle(accountWorkflowId(accountId)).terminate('test over');
}, 240_000);
