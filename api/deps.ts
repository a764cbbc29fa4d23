/** What the app is built from. The composition root (main.ts) builds the real ones; tests build their own. */
import type { Logger } from 'pino';
import type { Database } from '../db/client';
import type { ApiConfig } from './config';
import type { WorkflowGateway } from './gateway';

export interface AppDeps {
  db: Database;
  temporal: WorkflowGateway;
  clock: () => Date;
  logger: Logger;
  config: ApiConfig;
}
