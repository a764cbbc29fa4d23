/**
 * Killing the worker after the SMTP server accepted a message never delivers it twice. (Its own file,
 * so it gets a fresh time-skipping server: crash.test.ts's workflows would hold this one's clock.)
 *
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

const h = useCrashHarness('accepted');

it('a worker killed after the SMTP server accepted the message: delivered once, never twice, and flagged', async () => {
  const [env, peer] = [h.env(), h.peer()];
  const first = h.startWorker('after_smtp');
  await first.ready;
  const { accountId, due } = await h.accountAboutToSend('ap@accepted.test');
  await env.sleep(due - (await env.currentTimeMs()) - 1_000);
  await waitFor('the SMTP server to accept the message', async () => first.output().includes('fault:after_smtp'), 30_000);
  expect(peer.received.filter((m) => m.to.includes('ap@accepted.test'))).toHaveLength(1);

  await first.kill();
  const second = h.startWorker();
  await second.ready;
  await h.expectFlaggedForAPerson(accountId);
  await env.sleep('3 days');
  const delivered = peer.received.filter((m) => m.to.includes('ap@accepted.test'));
  expect(delivered).toHaveLength(1);
  await second.stop();
  await env.client.workflow.getHandle(accountWorkflowId(accountId)).terminate('test over');
}, 240_000);
