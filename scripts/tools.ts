/** `npm run tools`: makes sure the Temporal binaries are available and says where each came from. */
import { describe, resolveTemporalBinary } from './temporal-binaries';

const log = (line: string) => console.log(`[tools] ${line}`);
try {
  for (const kind of ['cli', 'testServer'] as const) log(describe(kind, resolveTemporalBinary(kind, { log })));
} catch (err) {
  console.error(`[tools] ${(err as Error).message}`);
  process.exit(1);
}
