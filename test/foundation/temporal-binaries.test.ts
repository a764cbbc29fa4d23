import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { explainStartFailure, resolveTemporalBinary } from '../../scripts/temporal-binaries';

describe('Temporal binary resolver', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-bin-'));
  const fake = path.join(dir, 'temporal');
  fs.writeFileSync(fake, '#!/bin/sh\nexec true\n', { mode: 0o755 });

  it('honours the override variable before anything else', () => {
    const resolved = resolveTemporalBinary('cli', { env: { TEMPORAL_CLI_PATH: fake, PATH: '' }, install: false });
    expect(resolved).toMatchObject({ type: 'existing-path', path: fake, route: 'TEMPORAL_CLI_PATH' });
  });

  it('refuses an override that points at nothing, naming the variable', () => {
    expect(() => resolveTemporalBinary('testServer', { env: { TEMPORAL_TEST_SERVER_PATH: path.join(dir, 'missing') }, install: false })).toThrow(
      /TEMPORAL_TEST_SERVER_PATH is set to .*missing, but that is not an executable file/,
    );
  });

  it('finds the binary on PATH', () => {
    const resolved = resolveTemporalBinary('cli', { env: { PATH: dir }, install: false });
    expect(resolved).toMatchObject({ type: 'existing-path', path: fake, route: 'PATH' });
  });

  it('reports every route it tried when nothing is found', () => {
    const toolsCopy = path.resolve(__dirname, '../../.tools/temporal-test-server/bin/temporal-test-server');
    const hidden = `${toolsCopy}.hidden-by-test`;
    const had = fs.existsSync(toolsCopy);
    if (had) fs.renameSync(toolsCopy, hidden);
    try {
      const resolved = resolveTemporalBinary('testServer', { env: { PATH: '' }, install: false });
      expect(resolved.type).toBe('sdk-download');
      const message = explainStartFailure('testServer', resolved, new Error('download failed: network unreachable')).message;
      expect(message).toContain('TEMPORAL_TEST_SERVER_PATH (not set)');
      expect(message).toContain('temporal-test-server on PATH (not found)');
      expect(message).toContain('.tools/temporal-test-server/bin/temporal-test-server (not there)');
      expect(message).toContain("the Temporal SDK's own download");
      expect(message).toContain('download failed: network unreachable');
    } finally {
      if (had) fs.renameSync(hidden, toolsCopy);
    }
  });
});
