/**
 * `npm start` keeps the product running: a killed worker, API, PostgreSQL server or Temporal dev
 * server is reported and started again while the rest keeps serving; only Ctrl-C stops everything.
 * A configuration error stops it before anything starts, with the reason as the last line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../db/embedded';

const repoRoot = path.resolve(__dirname, '../..');

interface Run {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startTactful(env: Record<string, string>): Run {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1', WEB_BUILD: 'never', SEED_DEMO: 'false' };
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS']) delete childEnv[key];
  const proc = spawn('npx', ['tsx', 'scripts/start.ts'], { cwd: repoRoot, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  return { proc, output: () => output, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, run: Run, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s; output:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const pidsOf = (run: Run, what: string) => [...run.output().matchAll(new RegExp(`${what} running \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));

async function status(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3_000) })).status;
  } catch {
    return undefined;
  }
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

describe('npm start supervises', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-supervise-'));
  fs.chmodSync(dataDir, 0o755);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('a webhook secret shorter than 16 characters: nothing starts, and the reason is the last line', async () => {
    const [pgPort, temporalPort, uiPort, apiPort] = await distinctFreePorts(4);
    const run = startTactful({ DATA_DIR: dataDir, PG_PORT: String(pgPort), TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), PORT: String(apiPort), WEBHOOK_SECRET: 'too-short' });
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    const lines = run.output().trim().split('\n');
    expect(lines[lines.length - 1]).toBe('Configuration error: WEBHOOK_SECRET must be at least 16 characters.');
    expect(run.output()).not.toMatch(/running \(pid/);
  }, 60_000);

  it('restarts a killed worker, API, PostgreSQL and Temporal, while the rest keeps serving; Ctrl-C stops all', async () => {
    const [pgPort, temporalPort, uiPort, apiPort] = await distinctFreePorts(4);
    const run = startTactful({ DATA_DIR: dataDir, PG_PORT: String(pgPort), TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), PORT: String(apiPort) });
    const api = `http://127.0.0.1:${apiPort}`;
    try {
      await until('the start', () => (/Press Ctrl-C to stop everything/.test(run.output()) ? true : undefined), run, 120_000);
      await until('ready', async () => ((await status(`${api}/readyz`)) === 200 ? true : undefined), run, 60_000);

      // The worker: killed like an OOM kill; the API keeps answering meanwhile.
      const [worker] = pidsOf(run, 'the worker');
      process.kill(worker, 'SIGKILL');
      await until('the worker restarted', () => (pidsOf(run, 'the worker').length === 2 ? true : undefined), run, 30_000);
      expect(run.output()).toMatch(/the worker exited \(SIGKILL\) — restarting it in 1 s \(restart 1 of worker\)/);
      expect(await status(`${api}/healthz`)).toBe(200);

      // The API.
      const [apiPid] = pidsOf(run, 'the api');
      process.kill(apiPid, 'SIGKILL');
      await until('the API restarted', () => (pidsOf(run, 'the api').length === 2 ? true : undefined), run, 30_000);
      await until('the API answering again', async () => ((await status(`${api}/readyz`)) === 200 ? true : undefined), run, 60_000);

      // The PostgreSQL server itself (not its host process): noticed, reported, started again.
      const postmaster = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGKILL');
      await until('PostgreSQL reported down', async () => ((await status(`${api}/readyz`)) === 503 ? true : undefined), run, 20_000);
      await until('PostgreSQL restarted', () => (/PostgreSQL exited \(3\) — restarting it/.test(run.output()) ? true : undefined), run, 30_000);
      await until('ready after PostgreSQL returned', async () => ((await status(`${api}/readyz`)) === 200 ? true : undefined), run, 60_000);

      // The Temporal dev server.
      const [temporal] = pidsOf(run, 'the Temporal dev server');
      process.kill(temporal, 'SIGKILL');
      await until('Temporal restarted', () => (pidsOf(run, 'the Temporal dev server').length === 2 ? true : undefined), run, 30_000);
      await until('ready after Temporal returned', async () => ((await status(`${api}/readyz`)) === 200 ? true : undefined), run, 90_000);
      expect(run.output()).not.toMatch(/stopping everything/);
    } finally {
      process.kill(-run.proc.pid!, 'SIGINT');
      const exit = await Promise.race([run.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
      if (exit === 'timeout') process.kill(-run.proc.pid!, 'SIGKILL');
      expect(exit).not.toBe('timeout');
      expect(run.output()).toMatch(/\[tactful\]\s+stopped/);
    }
  }, 400_000);
});
