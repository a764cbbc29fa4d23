/**
 * The web app's build. Vite 8 compiles TSX itself through oxc, so no React plugin is needed; the
 * app imports the API contract from ../domain, which is why the dev server may read the repo root.
 */
import path from 'node:path';
import { defineConfig } from 'vite';
import presetMantine from 'postcss-preset-mantine';

const webRoot = __dirname;
const repoRoot = path.resolve(webRoot, '..');

export default defineConfig({
  root: webRoot,
  envDir: webRoot,
  oxc: { jsx: { runtime: 'automatic' } },
  css: { postcss: { plugins: [presetMantine()] } },
  build: {
    outDir: path.join(webRoot, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // zod's CSP-safe setting (src/lib/zod-csp.ts) must run before any schema is built: it shares zod's
      // chunk, which every chunk with schemas imports and therefore runs after.
      output: { codeSplitting: { groups: [{ name: 'zod', test: /node_modules[\\/]zod[\\/]|src[\\/]lib[\\/]zod-csp\.ts$/ }] } },
      // Mantine marks its modules "use client" for React Server Components; irrelevant in a SPA.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false },
    },
  },
});
