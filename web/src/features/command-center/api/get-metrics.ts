/**
 * The command center's numbers. DSO/ADD/CEI over time are the KPI endpoint asked at several month
 * ends, so the trend uses exactly the same definitions as today's figure.
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { AgingReport, ApprovalWait, apiPaths, KpiReport, NeedsPerson, PromiseStats, ReplyStats, StageFunnel, StepEffectiveness } from '../../../../../domain/api';
import { api } from '../../../lib/api-client';
import { todayIso } from '../../../lib/format';
import { fallbackRefetch } from '../../../lib/live';

const live = { refetchInterval: fallbackRefetch };

export const getAging = (asOf?: string) => api(apiPaths.metricsAging, { query: { asOf }, schema: AgingReport });
export const useAging = () => useQuery({ queryKey: ['metrics', 'aging'], queryFn: () => getAging(), ...live });

export const getKpis = (asOf: string, periodDays = 90) => api(apiPaths.metricsKpis, { query: { asOf, periodDays }, schema: KpiReport });

/** Month ends going back `months`, then today: the points of the KPI trend. */
export function trendDates(months = 6, today = todayIso()): string[] {
  const [y, m] = today.split('-').map(Number);
  const dates: string[] = [];
  for (let i = months; i >= 1; i--) dates.push(new Date(Date.UTC(y, m - 1 - i + 1, 0)).toISOString().slice(0, 10));
  dates.push(today);
  return dates;
}

export function useKpiTrend() {
  const dates = trendDates();
  return useQueries({
    queries: dates.map((asOf) => ({ queryKey: ['metrics', 'kpis', asOf], queryFn: () => getKpis(asOf), staleTime: 5 * 60_000 })),
    combine: (results) => ({
      points: results.map((r) => r.data).filter((d): d is KpiReport => Boolean(d)),
      isPending: results.some((r) => r.isPending),
      error: results.find((r) => r.error)?.error ?? null,
    }),
  });
}

export const useStepEffectiveness = () => useQuery({ queryKey: ['metrics', 'steps'], queryFn: () => api(apiPaths.metricsSteps, { schema: StepEffectiveness }), ...live });
export const usePromiseStats = () => useQuery({ queryKey: ['metrics', 'promises'], queryFn: () => api(apiPaths.metricsPromises, { schema: PromiseStats }), ...live });
export const useApprovalWait = () => useQuery({ queryKey: ['metrics', 'approval-wait'], queryFn: () => api(apiPaths.metricsApprovalWait, { schema: ApprovalWait }), ...live });
export const useReplyStats = () => useQuery({ queryKey: ['metrics', 'replies'], queryFn: () => api(apiPaths.metricsReplies, { schema: ReplyStats }), ...live });
export const useStageFunnel = () => useQuery({ queryKey: ['metrics', 'stages'], queryFn: () => api(apiPaths.metricsStages, { schema: StageFunnel }), ...live });

/** "Needs a person now": every kind of item a person must act on, from one endpoint. */
export const useNeedsPerson = () =>
  useQuery({ queryKey: ['metrics', 'needs'], queryFn: () => api(apiPaths.metricsNeedsPerson, { schema: NeedsPerson }), ...live });
