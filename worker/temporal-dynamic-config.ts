/**
 * The Temporal server settings in temporal-dynamic-config.yaml, as the dev server's
 * `--dynamic-config-value KEY=JSON` arguments. One file for `npm start`, the benchmarks and Docker.
 */
import fs from 'node:fs';
import path from 'node:path';

export const dynamicConfigFile = path.join(__dirname, 'temporal-dynamic-config.yaml');

type DynamicConfig = Record<string, { value: unknown; constraints?: unknown }[]>;

export function readDynamicConfig(file = dynamicConfigFile): DynamicConfig {
  const json = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  try {
    return JSON.parse(json) as DynamicConfig;
  } catch (err) {
    throw new Error(`${file} must be JSON apart from its # comment lines: ${(err as Error).message}`);
  }
}

/** `--dynamic-config-value KEY=JSON` for every unconstrained value (the dev server takes no constraints). */
export function devServerDynamicConfigArgs(file = dynamicConfigFile): string[] {
  return Object.entries(readDynamicConfig(file)).flatMap(([key, values]) =>
    values.filter((v) => v.constraints === undefined).flatMap((v) => ['--dynamic-config-value', `${key}=${JSON.stringify(v.value)}`]),
  );
}
