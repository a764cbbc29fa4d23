/**
 * Every committed account-workflow history (test/histories/, recorded by scripts/record-histories.ts)
 * replays against the current workflow code. A change that would make a running workflow take a
 * different path on its next task — a new activity call, a reordered timer — fails here before it
 * reaches a worker with live workflows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { historyFromJson } from '../histories/history-json';

const dir = path.join(__dirname, '..', 'histories');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

beforeAll(() => {
  // Replay needs no server; only the log level the other suites use.
  Runtime.install({ logger: new DefaultLogger('WARN') });
});

it('has a committed history for every recorded path', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'account-autonomous-routine-send.json',
      'account-call-promise.json',
      'account-copilot-approve-send.json',
      // Recorded after the decision-recorded-first patch; the file above replays the unpatched branch.
      'account-copilot-approve-send-decision-recorded-first.json',
      'account-dispute-halts.json',
      'account-import-late.json',
      'account-payment-withdraws-draft.json',
    ]),
  );
});

it('replays every committed history without nondeterminism', async () => {
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: historyFromJson(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
