/**
 * Imports of downloaded files (.xlsx or .csv): accounting reports, clients, invoices, payments. All or
 * nothing per file; a dry run reports every line's outcome (created, paid or settled in the books, …)
 * for the user to confirm before anything is written.
 */
import { z } from 'zod';
import { ImportQuery, ImportReport } from '../../domain/api/ingestion';
import { problemTypes } from '../../domain/api/problems';
import { runImport } from '../imports/run';
import { route } from '../routing';
import { signalFacts } from './support';
import { appendEvent } from '../../db/events';

const FileBody = z.union([z.string().min(1, 'the file is empty'), z.instanceof(Buffer).refine((b) => b.length > 0, 'the file is empty')]);

export const importRoutes = [
  route({
    method: 'post',
    path: '/api/imports',
    summary: 'Import a file (.xlsx or text/csv) of accounting reports, clients, invoices or payments; 422 with a row-by-row report when any row is wrong',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'imports:run' },
    query: ImportQuery,
    body: FileBody,
    bodyType: 'file',
    response: ImportReport,
    async handler({ deps, query, body, actor, wfActor, now, res }) {
      const { report, touched } = await runImport(deps.db.db, typeof body === 'string' ? body : new Uint8Array(body), { ...query, today: now.toISOString().slice(0, 10) }, actor);
      if (report.errors.length) {
        res
          .status(422)
          .type('application/problem+json')
          .send(
            JSON.stringify({
              type: problemTypes.importRejected,
              title: 'Import rejected',
              status: 422,
              detail: `Nothing was imported: ${report.errors.length} problem(s) in the file. Fix them and import the file again.`,
              issues: report.errors.slice(0, 200).map((e) => ({ path: ['row', e.row, ...(e.column ? [e.column] : [])], message: e.message })),
              report,
            }),
          );
        return;
      }
      if (!report.committed) return report;
      await appendEvent(deps.db.db, { type: 'import.completed', actor, data: { ...report, errors: undefined, lines: report.lines.length } });
      let signaled = 0;
      let notSignaled = 0;
      for (const [accountId, version] of touched) {
        const r = await signalFacts(deps, accountId, version, 'reconcile', wfActor);
        if (r.signaled) signaled++;
        else notSignaled++;
      }
      return { ...report, workflow: { signaled, notSignaled } };
    },
  }),
];
