/**
 * A small process supervisor for `npm start`: prefixed logs in one terminal, child processes in their
 * own process groups, and a stop that unwinds everything in reverse start order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

const colors: Record<string, number> = { tactful: 1, postgres: 34, temporal: 35, worker: 33, api: 32, web: 36 };

export class Logger {
  private readonly width = Math.max(...Object.keys(colors).map((n) => n.length)) + 2;

  constructor(private readonly color: boolean) {}

  line(name: string, text: string, stream: NodeJS.WriteStream = process.stdout): void {
    const tag = `[${name}]`.padEnd(this.width);
    const code = colors[name] ?? 37;
    stream.write(`${this.color ? `\x1b[${code}m${tag}\x1b[0m` : tag} ${text}\n`);
  }

  /**
   * Splits a chunk of output into lines; keeps a partial last line until the rest arrives.
   * `transform` may rewrite a line, or drop it by returning undefined.
   */
  lineSplitter(
    name: string,
    stream: NodeJS.WriteStream = process.stdout,
    transform: (line: string) => string | undefined = (l) => l,
  ): (chunk: Buffer | string, flush?: boolean) => void {
    let pending = '';
    return (chunk, flush = false) => {
      pending += chunk.toString();
      const lines = pending.split(/\r?\n/);
      pending = flush ? '' : (lines.pop() ?? '');
      for (const l of lines) {
        const shown = l.trim() ? transform(l.trimEnd()) : undefined;
        if (shown !== undefined) this.line(name, shown, stream);
      }
    };
  }
}

export interface Resource {
  name: string;
  stop(): Promise<void>;
}

export interface Child extends Resource {
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process and its output are done. */
  exited: Promise<number | string>;
  hasExited(): boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Supervisor {
  private readonly resources: Resource[] = [];
  private readonly lateStops: Promise<void>[] = [];
  stopping = false;

  constructor(readonly log: Logger) {}

  /** Registers something to stop on shutdown; if shutdown already began, stops it right away. */
  add(resource: Resource): void {
    if (this.stopping) this.lateStops.push(this.stopOne(resource));
    else this.resources.push(resource);
  }

  spawn(
    name: string,
    command: string,
    args: string[],
    options: {
      env?: NodeJS.ProcessEnv;
      cwd?: string;
      stopTimeoutMs?: number;
      /** Called when it exits on its own (not when we stop it). */
      onExit?: (code: number | string) => void;
      /** Rewrites or drops (undefined) a line of its output. */
      transform?: (line: string) => string | undefined;
      /** Stop by signalling only the process, for those that shut down their own children in order. */
      stopProcessOnly?: boolean;
      /** Give it an open stdin, so it notices when we are gone (the pipe closes) even after a SIGKILL. */
      stdinPipe?: boolean;
    },
  ): Child {
    const proc = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      // Its own process group: the terminal's Ctrl-C reaches only us, so we stop things in order,
      // and stopping the group also reaches grandchildren (bundlers, tsx helpers).
      detached: true,
    });
    let stopRequested = false;
    // Once asked to stop, what a server says about its peers going away is noise.
    const transform = (line: string) => (stopRequested && /\blevel=\w+/.test(line) ? undefined : (options.transform ?? ((l) => l))(line));
    const out = this.log.lineSplitter(name, process.stdout, transform);
    const err = this.log.lineSplitter(name, process.stderr, transform);
    proc.stdout!.on('data', (c) => out(c));
    proc.stderr!.on('data', (c) => err(c));
    let done = false;
    const exited = new Promise<number | string>((resolve) => {
      proc.once('error', (e) => {
        this.log.line(name, `could not start ${command}: ${e.message}`, process.stderr);
        done = true;
        resolve('spawn-error');
      });
      proc.once('close', (code, signal) => {
        out('', true);
        err('', true);
        done = true;
        resolve(code ?? signal ?? 'unknown');
      });
    });
    const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    const child: Child = {
      name,
      process: proc,
      exited,
      hasExited: () => done,
      stop: async () => {
        if (done || proc.pid === undefined) return;
        stopRequested = true;
        if (options.stopProcessOnly) proc.kill('SIGTERM');
        else signalGroup(proc.pid, 'SIGTERM');
        const result = await Promise.race([exited, sleep(stopTimeoutMs).then(() => 'timeout' as const)]);
        if (result === 'timeout') {
          this.log.line('tactful', `${name} did not stop within ${stopTimeoutMs / 1000}s; killing it`);
          signalGroup(proc.pid, 'SIGKILL');
          await exited;
        }
      },
    };
    void exited.then((code) => {
      if (!this.stopping) options.onExit?.(code);
    });
    this.add(child);
    return child;
  }

  /** Stops everything in reverse start order. Safe to call more than once. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    while (this.resources.length) await this.stopOne(this.resources.pop()!);
    await Promise.all(this.lateStops);
  }

  /** The last resort on a second Ctrl-C: no ordering, no waiting. */
  killAll(): void {
    for (const r of this.resources) {
      const pid = (r as Partial<Child>).process?.pid;
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    }
  }

  private async stopOne(resource: Resource): Promise<void> {
    try {
      await resource.stop();
    } catch (err) {
      this.log.line('tactful', `stopping ${resource.name} failed: ${(err as Error).message}`, process.stderr);
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Polls until `ready()` holds. Gives up early when the process it waits for has exited or shutdown
 * began, so a crash is reported as a crash rather than as a timeout.
 */
export async function waitFor(
  what: string,
  ready: () => Promise<boolean>,
  options: { timeoutMs: number; abandon?: () => string | undefined; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await ready()) return;
    const reason = options.abandon?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${options.timeoutMs / 1000}s`);
    await sleep(options.intervalMs ?? 250);
  }
}
