/**
 * Imports of downloaded files (.xlsx or .csv): accounting reports, clients, invoices, payments. All or
 * nothing per file; a dry run reports every line's outcome (created, paid or settled in the books, …)
 * for the user to confirm before anything is written.
 *
 * A client that accepts `application/x-ndjson` watches it happen: one line per step of progress
 * (`{"progress":{"phase":"rows"|"workflows","done":n,"total":N}}`), then one last line with the answer
 * (`{"status":200,"report":…}`, or `{"status":422|5xx,"problem":…}`). The web app's Import page reads it.
 */
import type { Response } from 'express';
import { z } from 'zod';
import { ImportQuery, ImportReport } from '../../domain/api/ingestion';
import { problemTypes } from '../../domain/api/problems';
import type { EventActor } from '../../db/events';
import { appendEvent } from '../../db/events';
import type { Actor } from '../../domain/messages';
import type { AppDeps } from '../deps';
import { runImport } from '../imports/run';
import { toProblem } from '../problems';
import { route } from '../routing';
import { signalFacts } from './support';

const FileBody = z.union([z.string().min(1, 'the file is empty'), z.instanceof(Buffer).refine((b) => b.length > 0, 'the file is empty')]);

type Progress = (phase: 'rows' | 'workflows', done: number, total: number) => void;
type Answer = { status: 200; report: ImportReport } | { status: 422; problem: Record<string, unknown> };

async function importFile(deps: AppDeps, file: string | Buffer, query: ImportQuery, now: Date, actor: EventActor, wfActor: Actor, progress: Progress): Promise<Answer> {
  const { report, touched } = await runImport(
    deps.db.db,
    typeof file === 'string' ? file : new Uint8Array(file),
    { ...query, today: now.toISOString().slice(0, 10), onProgress: (done, total) => progress('rows', done, total) },
    actor,
  );
  if (report.errors.length) {
    return {
      status: 422,
      problem: {
        type: problemTypes.importRejected,
        title: 'Import rejected',
        status: 422,
        detail: `Nothing was imported: ${report.errors.length} problem(s) in the file. Fix them and import the file again.`,
        issues: report.errors.slice(0, 200).map((e) => ({ path: ['row', e.row, ...(e.column ? [e.column] : [])], message: e.message })),
        report,
      },
    };
  }
  if (!report.committed) return { status: 200, report };
  await appendEvent(deps.db.db, { type: 'import.completed', actor, data: { ...report, errors: undefined, lines: report.lines.length } });
  let signaled = 0;
  let notSignaled = 0;
  for (const [accountId, version] of touched) {
    const r = await signalFacts(deps, accountId, version, 'reconcile', wfActor);
    if (r.signaled) signaled++;
    else notSignaled++;
    progress('workflows', signaled + notSignaled, touched.size);
  }
  return { status: 200, report: { ...report, workflow: { signaled, notSignaled } } };
}

/** Progress lines at most every 150 ms per phase, and always the last one of a phase. */
function ndjsonProgress(res: Response): Progress {
  const last = new Map<string, number>();
  return (phase, done, total) => {
    const t = Date.now();
    if (done < total && t - (last.get(phase) ?? 0) < 150) return;
    last.set(phase, t);
    res.write(`${JSON.stringify({ progress: { phase, done, total } })}\n`);
  };
}

export const importRoutes = [
  route({
    method: 'post',
    path: '/api/imports',
    summary:
      'Import a file (.xlsx or text/csv) of accounting reports, clients, invoices or payments; 422 with a row-by-row report when any row is wrong. With Accept: application/x-ndjson, progress lines then the answer',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'imports:run' },
    query: ImportQuery,
    body: FileBody,
    bodyType: 'file',
    response: ImportReport,
    async handler({ deps, req, query, body, actor, wfActor, now, res }) {
      if (/application\/x-ndjson/.test(req.headers.accept ?? '')) {
        res.status(200).type('application/x-ndjson');
        res.flushHeaders();
        try {
          const answer = await importFile(deps, body, query, now, actor, wfActor, ndjsonProgress(res));
          res.end(`${JSON.stringify(answer)}\n`);
        } catch (err) {
          const { headers: _headers, ...problem } = toProblem(err);
          if (problem.status >= 500) deps.logger.error({ err }, 'import failed');
          res.end(`${JSON.stringify({ status: problem.status, problem })}\n`);
        }
        return;
      }
      const answer = await importFile(deps, body, query, now, actor, wfActor, () => undefined);
      if (answer.status === 422) {
        res.status(422).type('application/problem+json').send(JSON.stringify(answer.problem));
        return;
      }
      return answer.report;
    },
  }),
];
