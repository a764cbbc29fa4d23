/** Builds the web app once per run so the browser tests exercise the code as it is now. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

let built = false;
export function buildWeb(): void {
  if (built || process.env.E2E_SKIP_WEB_BUILD === '1') return;
  const root = path.resolve(__dirname, '../../..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  built = true;
}
