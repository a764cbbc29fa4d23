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
}

export type ImportAnswer = { accepted: true; report: ImportReport } | { accepted: false; report: ImportReport; problem: Problem };

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function importFile({ file, dryRun, currency, dateOrder, settleAbsent }: ImportRequest): Promise<ImportAnswer> {
  const isXlsx = /\.xlsx$/i.test(file.name) || file.type === XLSX;
  const csrf = currentCsrfToken();
  const res = await fetch(apiUrl(apiPaths.imports, { dryRun, currency, dateOrder, fileName: file.name, ...(settleAbsent ? { settleAbsent: true } : {}) }), {
    method: 'POST',
    credentials: 'include',
    // CSV goes as bytes too: the importer decodes it (UTF-8, else Windows-1252) and keeps the file exactly as uploaded.
    headers: { Accept: 'application/json', 'Content-Type': isXlsx ? XLSX : 'application/octet-stream', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
    body: file,
  });
  const json: unknown = await res.json().catch(() => null);
  if (res.ok) return { accepted: true, report: ImportReport.parse(json) };
  const problem = Problem.safeParse(json);
  const report = ImportReport.safeParse((json as { report?: unknown } | null)?.report);
  if (res.status === 422 && problem.success && report.success) return { accepted: false, report: report.data, problem: problem.data };
  throw new ApiError(res.status, problem.success ? problem.data : { type: 'about:blank', title: `The server answered ${res.status}`, status: res.status });
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
