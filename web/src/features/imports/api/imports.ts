/**
 * Sends a downloaded file to the importer: first as a dry run (what would happen, line by line), then
 * for real once the user confirms. A refused file (422) still carries its report, with the row errors.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPaths, ImportReport, Problem } from '../../../../../domain/api';
import { ApiError, apiUrl, currentCsrfToken } from '../../../lib/api-client';

export type { ImportReport };

export interface ImportRequest {
  file: File;
  dryRun: boolean;
  currency?: string;
  dateOrder?: 'auto' | 'mdy' | 'dmy';
  settleAbsent?: boolean;
  /** Called as the server reads the rows, then as it tells the accounts' workflows. */
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  phase: 'rows' | 'workflows';
  done: number;
  total: number;
}

export type ImportAnswer = { accepted: true; report: ImportReport } | { accepted: false; report: ImportReport; problem: Problem };

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The server streams its progress as NDJSON lines and ends with the answer; a proxy that buffers the
 * stream only delays the progress, never the answer.
 */
export async function importFile({ file, dryRun, currency, dateOrder, settleAbsent, onProgress }: ImportRequest): Promise<ImportAnswer> {
  const isXlsx = /\.xlsx$/i.test(file.name) || file.type === XLSX;
  const csrf = currentCsrfToken();
  const res = await fetch(apiUrl(apiPaths.imports, { dryRun, currency, dateOrder, fileName: file.name, ...(settleAbsent ? { settleAbsent: true } : {}) }), {
    method: 'POST',
    credentials: 'include',
    // CSV goes as bytes too: the importer decodes it (UTF-8, else Windows-1252) and keeps the file exactly as uploaded.
    headers: { Accept: 'application/x-ndjson', 'Content-Type': isXlsx ? XLSX : 'application/octet-stream', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
    body: file,
  });
  if (!res.ok || !res.body) {
    // Refused before the import began (signed out, not allowed, file too large): a problem document.
    const json: unknown = await res.json().catch(() => null);
    const problem = Problem.safeParse(json);
    throw new ApiError(res.status, problem.success ? problem.data : { type: 'about:blank', title: `The server answered ${res.status}`, status: res.status });
  }
  let last: unknown = null;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffered += value ?? '';
    const lines = buffered.split('\n');
    buffered = done ? '' : lines.pop()!;
    for (const line of lines.filter((l) => l.trim())) {
      const msg = JSON.parse(line) as { progress?: ImportProgress };
      if (msg.progress) onProgress?.(msg.progress);
      else last = msg;
    }
    if (done) break;
  }
  const answer = last as { status?: number; report?: unknown; problem?: unknown } | null;
  if (answer?.status === 200) return { accepted: true, report: ImportReport.parse(answer.report) };
  const problem = Problem.safeParse(answer?.problem);
  const report = ImportReport.safeParse((answer?.problem as { report?: unknown } | undefined)?.report);
  if (answer?.status === 422 && problem.success && report.success) return { accepted: false, report: report.data, problem: problem.data };
  const status = answer?.status ?? 502;
  throw new ApiError(status, problem.success ? problem.data : { type: 'about:blank', title: 'The import stopped without an answer', status });
}

export function useImportFile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: importFile,
    onSuccess: (answer, request) => {
      // What an import writes shows up in every list of accounts, the queue and the command center.
      if (!request.dryRun && answer.accepted) void qc.invalidateQueries();
    },
  });
}
