/** `npm start`'s configuration: parsed once from the environment, with a message naming every bad variable. */
import path from 'node:path';
import { z } from 'zod';

export const repoRoot = path.resolve(__dirname, '../..');

const Port = z.coerce.number().int().min(1).max(65535);
const Flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const StartEnv = z.object({
  /** Where the embedded PostgreSQL, the Temporal SQLite file and the outbox live. */
  DATA_DIR: z.string().default('.data'),
  /** Use this PostgreSQL instead of the embedded one. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://').optional(),
  PG_PORT: Port.default(5433),
  /** Use this Temporal server instead of starting a dev server. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_PORT: Port.default(7233),
  TEMPORAL_UI_PORT: Port.default(8233),
  /** Printed as the Temporal UI link when TEMPORAL_ADDRESS points elsewhere. */
  TEMPORAL_UI_URL: z.string().url().optional(),
  PORT: Port.default(3000),
  /** The API's bind address; loopback by default because the demo logins are public knowledge. */
  HOST: z.string().default('127.0.0.1'),
  /** Load the demo portfolio into an empty database; on by default only for the embedded one. */
  SEED_DEMO: Flag.optional(),
  /** auto: build web/ when web/dist is missing or older than its sources. */
  WEB_BUILD: z.enum(['auto', 'always', 'never']).default('auto'),
  NO_COLOR: z.string().optional(),
});

export interface StartConfig {
  dataDir: string;
  postgres: { kind: 'embedded'; port: number; dataDir: string } | { kind: 'external'; url: string };
  temporal:
    | { kind: 'dev-server'; port: number; uiPort: number; dbFile: string; namespace: string }
    | { kind: 'external'; address: string; namespace: string; uiUrl?: string };
  api: { port: number; host: string };
  seedDemo: boolean;
  webBuild: 'auto' | 'always' | 'never';
  color: boolean;
}

export function parseStartConfig(env: NodeJS.ProcessEnv, isTTY: boolean): StartConfig {
  const parsed = StartEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`npm start's configuration is not valid:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(repoRoot, e.DATA_DIR);
  return {
    dataDir,
    postgres: e.DATABASE_URL
      ? { kind: 'external', url: e.DATABASE_URL }
      : { kind: 'embedded', port: e.PG_PORT, dataDir: path.join(dataDir, 'pg') },
    temporal: e.TEMPORAL_ADDRESS
      ? { kind: 'external', address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, uiUrl: e.TEMPORAL_UI_URL }
      : {
          kind: 'dev-server',
          port: e.TEMPORAL_PORT,
          uiPort: e.TEMPORAL_UI_PORT,
          dbFile: path.join(dataDir, 'temporal.db'),
          namespace: e.TEMPORAL_NAMESPACE,
        },
    api: { port: e.PORT, host: e.HOST },
    // Demo data in someone's real database would be a nasty surprise, so an external one opts in.
    seedDemo: e.SEED_DEMO ?? !e.DATABASE_URL,
    webBuild: e.WEB_BUILD,
    color: isTTY && e.NO_COLOR === undefined,
  };
}
