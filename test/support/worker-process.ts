/**
 * Runs the real worker as a child process (worker-child.ts) so a test can SIGKILL it mid-activity
 * the way a crashed host or an OOM kill would, and start a fresh one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export interface WorkerProcessConfig {
  temporalAddress: string;
  namespace?: string;
  taskQueue: string;
  databaseUrl: string;
  smtpUrl: string;
  /** From bundleWorkersOnce(): children start in a second instead of bundling each time. */
  workflowBundlePath?: string;
  /** worker-child.ts stops dead at this point of its first send. */
  faultPoint?: 'before_smtp' | 'after_smtp' | 'before_record';
  /** At the fault point on every send, not only the first. */
  faultEvery?: boolean;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves when the child polls; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** SIGKILL: no shutdown, no activity completion, sockets dropped by the kernel. */
  kill(): Promise<void>;
  /** SIGTERM: the worker drains and exits. */
  stop(): Promise<void>;
}

export async function bundleWorkflowsToFile(): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-bundle-')), 'workflows.js');
  fs.writeFileSync(file, code);
  return file;
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message: string, meta?: unknown) => console.error(message, meta),
};

export function startWorkerProcess(config: WorkerProcessConfig): WorkerProcess {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'worker-child.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: config.temporalAddress,
      TEMPORAL_NAMESPACE: config.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: config.taskQueue,
      DATABASE_URL: config.databaseUrl,
      SMTP_URL: config.smtpUrl,
      ...(config.workflowBundlePath ? { WORKFLOW_BUNDLE_PATH: config.workflowBundlePath } : {}),
      ...(config.faultPoint ? { TACTFUL_FAULT_POINT: config.faultPoint, TACTFUL_FAULT_EVERY: config.faultEvery ? '1' : '0' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then(({ code, signal }) => reject(new Error(`worker process exited (${code ?? signal}) before it was ready:\n${out}`)));
  });
  return {
    child,
    ready,
    exited,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
