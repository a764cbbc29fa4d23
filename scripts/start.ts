/**
 * `npm start`: the whole product on one machine. PostgreSQL (embedded unless DATABASE_URL), a Temporal
 * dev server (unless TEMPORAL_ADDRESS), the built web app, the worker and the API, with prefixed logs
 * in one terminal. Ctrl-C stops everything it started; the next start reuses DATA_DIR.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../db/client';
import { assertPortFree, ensureDatabase } from '../db/embedded';
import { migrateDatabase } from '../db/migrate';
import { DEMO_PASSWORD, demoUsers, seedDemo } from '../db/seed';
import { parseStartConfig, repoRoot, type StartConfig } from './start/config';
import { canConnect, Logger, Supervisor, waitFor, type Child } from './start/supervisor';
import { describe, explainStartFailure, resolveTemporalBinary } from './temporal-binaries';
import { devServerDynamicConfigArgs } from '../worker/temporal-dynamic-config';
import { parseProcessConfig } from '../api/config';
import { parseWorkerConfig } from '../worker/config';

/** A service exits with this (EX_CONFIG) when its configuration is wrong: restarting it cannot help. */
const CONFIG_EXIT = 78;

/**
 * The API's and the worker's own configuration, checked before anything starts. A finance user would
 * rather have nothing running than a stack that sends reminders while the payment webhook refuses
 * every payment (a WEBHOOK_SECRET too short to be safe), so a bad setting stops `npm start` here,
 * before any part is up, and the reason is the last thing printed.
 */
function serviceConfigProblems(start: StartConfig): string[] {
  const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://check@127.0.0.1/check', PORT: String(start.api.port), HOST: start.api.host };
  const problems: string[] = [];
  for (const parse of [() => parseProcessConfig(env), () => parseWorkerConfig(env)]) {
    try {
      parse();
    } catch (err) {
      for (const line of (err as Error).message.split('\n').slice(1)) if (!problems.includes(line.trim())) problems.push(line.trim());
    }
  }
  return problems;
}

let config: StartConfig;
try {
  config = parseStartConfig(process.env, Boolean(process.stdout.isTTY));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
{
  const problems = serviceConfigProblems(config);
  if (problems.length) {
    console.error(`npm start did not start anything. Fix the configuration and start again:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    console.error(`Configuration error: ${problems.map((p) => p.replace(/^[A-Z_]+: /, '')).join('; ')}.`);
    process.exit(1);
  }
}

const log = new Logger(config.color);
const say = (text: string) => log.line('tactful', text);
const warn = (text: string) => log.line('tactful', `${config.color ? '\x1b[33mwarning:\x1b[0m' : 'warning:'} ${text}`, process.stderr);
const supervisor = new Supervisor(log);
const rel = (p: string) => {
  const r = path.relative(process.cwd(), p);
  return r.startsWith('..') ? p : r || '.';
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class StartError extends Error {}

/** Every port we are about to bind, checked before anything starts, so a clash names its variable. */
async function checkPorts(): Promise<void> {
  const wanted: { port: number; variable: string; what: string }[] = [];
  if (config.postgres.kind === 'embedded') wanted.push({ port: config.postgres.port, variable: 'PG_PORT', what: 'PostgreSQL (embedded)' });
  if (config.temporal.kind === 'dev-server') {
    wanted.push({ port: config.temporal.port, variable: 'TEMPORAL_PORT', what: 'the Temporal dev server' });
    wanted.push({ port: config.temporal.uiPort, variable: 'TEMPORAL_UI_PORT', what: 'the Temporal UI' });
  }
  wanted.push({ port: config.api.port, variable: 'PORT', what: 'the Tactful API' });

  const problems: string[] = [];
  wanted.forEach((w, i) => {
    const twin = wanted.slice(0, i).find((o) => o.port === w.port);
    if (twin) problems.push(`${twin.variable} and ${w.variable} are both ${w.port}: give each its own port.`);
  });
  for (const w of wanted) {
    try {
      await assertPortFree(w.port, w.what);
    } catch (err) {
      const inUse = /already in use/.test((err as Error).message);
      problems.push(
        inUse
          ? `Port ${w.port} is already in use, so ${w.what} cannot start. Stop whatever uses it, or set ${w.variable} to a free port (e.g. ${w.variable}=${w.port + 1} npm start).`
          : `${(err as Error).message} Set ${w.variable} to use another port.`,
      );
    }
  }
  if (problems.length) throw new StartError(problems.join('\n'));
}

/** initdb's progress report is long and only says "ok"; its errors and the server's log are kept. */
function postgresLine(line: string): string | undefined {
  const server = /^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[\d+\] (.*)$/.exec(line);
  if (server) return server[1];
  return /error|fatal|panic|warning/i.test(line) ? line : undefined;
}

async function startPostgres(): Promise<string> {
  if (config.postgres.kind === 'external') {
    say('PostgreSQL: using DATABASE_URL');
    return config.postgres.url;
  }
  const { dataDir, port } = config.postgres;
  const reused = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  log.line('postgres', reused ? `reusing the data in ${rel(dataDir)}` : `creating a new database cluster in ${rel(dataDir)}`);
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const host = path.join(__dirname, 'start', 'postgres.ts');
  let first: Child | undefined;
  let started = false;
  restartOnExit('postgres', 'PostgreSQL', (onExit) => {
    const child = supervisor.spawn('postgres', process.execPath, ['--import', 'tsx', host, dataDir, String(port)], {
      cwd: repoRoot,
      stopProcessOnly: true,
      stdinPipe: true,
      stopTimeoutMs: 30_000,
      // Until it first answered, a PostgreSQL that exits is a failed start, reported below.
      onExit: (code) => (started ? onExit(code) : undefined),
      transform: (line) => {
        if (!line.startsWith('READY ')) return postgresLine(line);
        announce(line.slice('READY '.length));
        if (started) log.line('postgres', `ready again on 127.0.0.1:${port}`);
        return undefined;
      },
    });
    first ??= child;
    return child;
  });
  const serverUrl = await Promise.race([
    announced,
    first!.exited.then((code) => {
      throw new StartError(`PostgreSQL did not start (${code}); see its log above.`);
    }),
  ]);
  started = true;
  log.line('postgres', `ready on 127.0.0.1:${port}`);
  return ensureDatabase(serverUrl, 'tactful');
}

async function prepareDatabase(url: string): Promise<void> {
  await migrateDatabase(url);
  log.line('postgres', 'migrations applied');
  if (!config.seedDemo) return;
  const database = openDatabase(url, { max: 2 });
  try {
    const result = await seedDemo(database, { now: new Date() });
    log.line(
      'postgres',
      result.seeded
        ? `loaded the demo portfolio: ${result.accounts} clients, ${result.invoices} invoices, ${result.payments} payments`
        : 'accounts exist already: demo data not loaded again',
    );
  } finally {
    await database.close();
  }
}

function namespaceReady(binary: string, address: string, namespace: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(binary, ['operator', 'namespace', 'describe', '--namespace', namespace, '--address', address], { timeout: 5_000 }, (err) =>
      resolve(!err),
    );
  });
}

/** Starts the dev server (or notes the external one) and returns its address and a readiness promise. */
async function startTemporal(): Promise<{ address: string; ready: Promise<void> }> {
  const t = config.temporal;
  if (t.kind === 'external') {
    say(`Temporal: using TEMPORAL_ADDRESS=${t.address}`);
    return { address: t.address, ready: Promise.resolve() };
  }
  const address = `127.0.0.1:${t.port}`;
  const resolved = resolveTemporalBinary('cli', { log: (l) => log.line('temporal', l) });
  log.line('temporal', describe('cli', resolved));
  fs.mkdirSync(path.dirname(t.dbFile), { recursive: true });

  if (resolved.type === 'sdk-download') {
    // Machines with internet: the SDK downloads and runs the same dev server.
    try {
      const { TestWorkflowEnvironment } = await import('@temporalio/testing');
      const env = await TestWorkflowEnvironment.createLocal({
        server: { dbFilename: t.dbFile, ip: '127.0.0.1', port: t.port, ui: true, uiPort: t.uiPort, namespace: t.namespace, extraArgs: devServerDynamicConfigArgs() },
      });
      supervisor.add({ name: 'temporal', stop: () => env.teardown() });
    } catch (err) {
      throw new StartError(explainStartFailure('cli', resolved, err).message);
    }
    return { address, ready: Promise.resolve() };
  }

  const args = ['server', 'start-dev', '--db-filename', t.dbFile, '--ip', '127.0.0.1', '--port', String(t.port), '--ui-port', String(t.uiPort), '--log-level', 'warn', ...devServerDynamicConfigArgs()];
  if (t.namespace !== 'default') args.push('--namespace', t.namespace);
  let child!: Child;
  let ready = false;
  restartOnExit('temporal', 'the Temporal dev server', (onExit) => {
    const c = supervisor.spawn('temporal', resolved.path, args, { cwd: repoRoot, onExit: (code) => (ready ? onExit(code) : undefined) });
    child ??= c;
    return c;
  });
  const readyPromise = waitFor(
    'the Temporal dev server',
    async () => (await canConnect(t.port)) && namespaceReady(resolved.path, address, t.namespace),
    { timeoutMs: 60_000, abandon: () => exitedReason(child) },
  ).then(() => {
    ready = true;
    log.line('temporal', `ready on ${address}, namespace ${t.namespace}`);
  });
  // Awaited only after PostgreSQL is up; if that fails first, this rejection is expected and handled there.
  readyPromise.catch(() => {});
  return { address, ready: readyPromise };
}

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(target).reduce((newest, entry) => Math.max(newest, newestMtime(path.join(target, entry))), stat.mtimeMs);
}

/** Builds web/ when its output is missing or stale; returns the directory the API should serve, if any. */
async function buildWeb(): Promise<string | undefined> {
  const web = path.join(repoRoot, 'web');
  const viteConfig = path.join(web, 'vite.config.ts');
  const dist = path.join(web, 'dist');
  const built = () => (fs.existsSync(path.join(dist, 'index.html')) ? dist : undefined);
  if (!fs.existsSync(viteConfig)) {
    warn('web/vite.config.ts does not exist yet: skipping the web build.');
    return built();
  }
  if (config.webBuild === 'never') return built();
  const sources = Math.max(newestMtime(path.join(web, 'src')), newestMtime(path.join(web, 'index.html')), newestMtime(viteConfig));
  if (config.webBuild === 'auto' && built() && newestMtime(path.join(dist, 'index.html')) >= sources) {
    log.line('web', 'web/dist is up to date');
    return dist;
  }
  log.line('web', 'building the web app (vite build) …');
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const child = supervisor.spawn('web', process.execPath, [vite, 'build', '--config', viteConfig, '--logLevel', 'warn'], { cwd: repoRoot });
  const code = await child.exited;
  if (code !== 0) {
    if (supervisor.stopping) return undefined;
    warn(`the web build failed (${code}); starting without a fresh build. Run \`npm run build:web\` to see why.`);
    return built();
  }
  log.line('web', `built into ${rel(dist)}`);
  return dist;
}

function startNodeService(name: 'worker' | 'api', entry: string, env: NodeJS.ProcessEnv): Child | undefined {
  const file = path.join(repoRoot, entry);
  if (!fs.existsSync(file)) {
    warn(`${entry} does not exist yet: not starting the ${name}.`);
    return undefined;
  }
  // tsx as an import hook keeps it one process per service: signals and exit codes are the service's own.
  let first: Child | undefined;
  restartOnExit(name, `the ${name}`, (onExit) => {
    const child = supervisor.spawn(name, process.execPath, ['--import', 'tsx', file], { cwd: repoRoot, env, onExit });
    first ??= child;
    return child;
  });
  return first;
}

/** Restarts so far, by part: shown in the log line of each restart. */
const restarts: Record<string, number> = {};

/**
 * Keeps a part running: when it exits on its own it is reported and started again after a pause that
 * doubles with each quick failure (1 s … 30 s; back to 1 s once it ran a minute). Only Ctrl-C stops
 * everything. A part that exits for a configuration error is not restarted: that would only repeat it.
 */
function restartOnExit(name: string, what: string, spawnIt: (onExit: (code: number | string) => void) => Child): void {
  let quickFailures = 0;
  let startedAt = Date.now();
  let lastLines: string[] = [];
  const onExit = (code: number | string) => {
    if (supervisor.stopping) return;
    if (code === CONFIG_EXIT) {
      const reason = lastLines.filter((l) => l.trim()).slice(-3).join(' ').trim();
      configFailure = `${what} refused its configuration: ${reason || 'see its log above'}`;
      void shutdown(1);
      return;
    }
    quickFailures = Date.now() - startedAt > 60_000 ? 1 : quickFailures + 1;
    restarts[name] = (restarts[name] ?? 0) + 1;
    const delay = Math.min(30_000, 1_000 * 2 ** (quickFailures - 1));
    log.line('tactful', `${what} exited (${code}) — restarting it in ${delay / 1000} s (restart ${restarts[name]} of ${name})`, process.stderr);
    setTimeout(() => {
      if (supervisor.stopping) return;
      startedAt = Date.now();
      run();
    }, delay);
  };
  const run = () => {
    lastLines = [];
    const child = spawnIt(onExit);
    child.process.stderr?.on('data', (d: Buffer) => (lastLines = [...lastLines, ...d.toString().split('\n')].slice(-10)));
    if (child.process.pid !== undefined) log.line('tactful', `${what} running (pid ${child.process.pid})`);
  };
  run();
}

/** Set when a part refused its configuration: printed as the very last line, after everything stopped. */
let configFailure: string | undefined;

function exitedReason(child: Child): string | undefined {
  if (supervisor.stopping) return 'start-up interrupted';
  return child.hasExited() ? 'it exited during start-up (see its log above)' : undefined;
}


function printSummary(api: Child | undefined, apiReady: boolean): void {
  const t = config.temporal;
  const uiUrl = t.kind === 'dev-server' ? `http://localhost:${t.uiPort}/namespaces/${t.namespace}/workflows` : t.uiUrl;
  const appUrl = `http://localhost:${config.api.port}`;
  const bold = (s: string) => (config.color ? `\x1b[1m${s}\x1b[0m` : s);
  const lines = [
    '',
    bold('Tactful is running.'),
    `  App:          ${api ? appUrl : '(not started: api/main.ts does not exist yet)'}${api && !apiReady ? '  (the API has not opened its port yet)' : ''}`,
    `  Temporal UI:  ${uiUrl ?? '(set TEMPORAL_UI_URL to show it here)'}`,
    `  Demo logins (password: ${DEMO_PASSWORD})`,
    ...demoUsers.map((u) => `    ${u.role.padEnd(8)} ${u.email}`),
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

let startup: Promise<void> = Promise.resolve();
let shutdownAt = 0;

async function shutdown(code: number, why?: string): Promise<void> {
  if (shutdownAt) {
    // npm and tsx may relay the terminal's Ctrl-C a moment after it reached us: that is not a second press.
    if (Date.now() - shutdownAt < 1_500) return;
    say('stopping immediately');
    supervisor.killAll();
    process.exit(code || 130);
  }
  shutdownAt = Date.now();
  if (why) say(`${why}: stopping … (Ctrl-C again to kill immediately)`);
  await supervisor.stopAll();
  // A start-up step interrupted mid-way may still hand over something it started; stop that too.
  await Promise.race([startup.catch(() => {}), sleep(20_000)]);
  await supervisor.stopAll();
  say('stopped');
  if (configFailure) process.stderr.write(`Configuration error: ${configFailure}\n`);
  process.exit(code);
}

async function start(): Promise<void> {
  say(`data directory: ${rel(config.dataDir)}`);
  await checkPorts();
  fs.mkdirSync(config.dataDir, { recursive: true });

  // Temporal starts in the background while PostgreSQL is prepared.
  const temporal = await startTemporal();
  const databaseUrl = await startPostgres();
  await prepareDatabase(databaseUrl);
  await temporal.ready;
  const webDist = await buildWeb();
  if (supervisor.stopping) return;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    PORT: String(config.api.port),
    HOST: config.api.host,
    OUTBOX_DIR: path.join(config.dataDir, 'outbox'),
    // The demo's logins are shared and printed below; a second factor for them would protect nothing.
    REQUIRE_MFA: process.env.REQUIRE_MFA ?? 'false',
    ...(webDist ? { WEB_DIST: webDist } : {}),
    ...(config.color ? { FORCE_COLOR: '1' } : {}),
  };
  startNodeService('worker', 'worker/main.ts', env);
  const api = startNodeService('api', 'api/main.ts', env);
  let apiReady = false;
  if (api) {
    try {
      await waitFor('the API', () => canConnect(config.api.port), { timeoutMs: 90_000, abandon: () => exitedReason(api) });
      apiReady = true;
    } catch (err) {
      if (supervisor.stopping) return;
      warn((err as Error).message);
    }
  }
  if (!supervisor.stopping) printSummary(api, apiReady);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0, signal));
startup = start();
startup.catch(async (err: unknown) => {
  if (supervisor.stopping) return;
  const message = err instanceof StartError ? err.message : ((err as Error).stack ?? String(err));
  for (const line of message.split('\n')) log.line('tactful', line, process.stderr);
  await shutdown(1);
});
