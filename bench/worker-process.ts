/**
 * A worker in a process of its own, as in production (`npm start` runs the API and the worker apart):
 * sharing the benchmark's event loop, a worker's activities delayed the API's requests, and its memory
 * mixed with everything else the benchmark process holds.
 *
 * `forkWorker` (parent side) starts this file as a child with an IPC channel; the child starts one
 * worker (the real escalation worker or the hello/no-op baseline), says `ready`, answers `cached`,
 * `status` (workflows in its cache and its memory after a full GC) and `stop`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createOutboxMailer } from '../activities/mail/mailer';
import { openDatabase } from '../db/client';
import { connectTemporal, startBaselineWorker, startTactfulWorker } from './infra';

export interface WorkerSpec {
  kind: 'tactful' | 'baseline';
  address: string;
  /** The tactful worker's database and outbox directory. */
  databaseUrl?: string;
  outboxDir?: string;
  maxCachedWorkflows: number;
}

export interface WorkerStatus {
  cached: number;
  rss: number;
  heap: number;
}

export interface WorkerProcess {
  taskQueue: string;
  /** Workflows in the worker's cache. */
  cached(): Promise<number>;
  /** The same, with memory after a full GC (slower: a few GCs and pauses). */
  status(): Promise<WorkerStatus>;
  stop(): Promise<void>;
}

type ReplyBody = { ok: true; value: unknown } | { ok: false; error: string };
type Reply = ReplyBody & { id: string };

export async function forkWorker(spec: WorkerSpec): Promise<WorkerProcess> {
  const child: ChildProcess = fork(path.join(__dirname, 'worker-process.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_WORKER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_PROF}`] : [])],
    env: { ...process.env, BENCH_WORKER: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (r: Reply) => void>();
  let exited: Error | undefined;
  child.on('message', (m: Reply) => waiting.get(m.id)?.(m));
  child.on('exit', (code) => {
    exited = new Error(`the ${spec.kind} worker process exited (code ${code})`);
    for (const done of waiting.values()) done({ id: '', ok: false, error: exited.message });
  });
  const ask = <T>(cmd: string): Promise<T> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = randomBytes(4).toString('hex');
      waiting.set(id, (r) => {
        waiting.delete(id);
        if (r.ok) resolve(r.value as T);
        else reject(new Error(r.error));
      });
      child.send({ id, cmd });
    });
  const taskQueue = await ask<string>('ready');
  return {
    taskQueue,
    cached: () => ask<number>('cached'),
    status: () => ask<WorkerStatus>('status'),
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await ask('stop').catch(() => {});
      await gone;
    },
  };
}

async function child(spec: WorkerSpec): Promise<void> {
  const temporal = await connectTemporal(spec.address);
  const options = { maxCachedWorkflows: spec.maxCachedWorkflows };
  let db: ReturnType<typeof openDatabase> | undefined;
  const starting =
    spec.kind === 'tactful'
      ? (async () => {
          db = openDatabase(spec.databaseUrl!, { max: 10 });
          return startTactfulWorker(temporal, db, createOutboxMailer(spec.outboxDir!), options);
        })()
      : startBaselineWorker(temporal, options);
  const gc = (globalThis as { gc?: () => void }).gc!;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  process.on('message', async (m: { id: string; cmd: string }) => {
    const reply = (r: ReplyBody) => process.send!({ id: m.id, ...r });
    try {
      const running = await starting;
      if (m.cmd === 'ready') return reply({ ok: true, value: running.taskQueue });
      if (m.cmd === 'cached') return reply({ ok: true, value: running.worker.getStatus().numCachedWorkflows });
      if (m.cmd === 'status') {
        await settle();
        const mem = process.memoryUsage();
        return reply({ ok: true, value: { cached: running.worker.getStatus().numCachedWorkflows, rss: mem.rss, heap: mem.heapUsed } satisfies WorkerStatus });
      }
      if (m.cmd === 'stop') {
        await running.stop();
        await temporal.close();
        await db?.close();
        reply({ ok: true, value: null });
        setTimeout(() => process.exit(0), 50);
        return;
      }
      reply({ ok: false, error: `unknown command ${m.cmd}` });
    } catch (err) {
      reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  // The parent going away (a failed run) takes the worker with it.
  process.on('disconnect', () => setTimeout(() => process.exit(0), 5_000).unref());
}

if (process.env.BENCH_WORKER && process.send) {
  child(JSON.parse(process.env.BENCH_WORKER) as WorkerSpec).catch((err) => {
    console.error('bench worker failed to start', err);
    process.exit(1);
  });
}
