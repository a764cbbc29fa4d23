/** The command center's charts. Each has a table-like text summary for screen readers. */
import { Text, VisuallyHidden } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AgingReport, KpiReport } from '../../../../../domain/api';
import { calendarDate, humanize, money, moneyShort, percent } from '../../../lib/format';

const bucketLabel: Record<string, string> = { current: 'Current', '1_30': '1–30', '31_60': '31–60', '61_90': '61–90', '90_plus': '90+' };
const bucketColor: Record<string, string> = { current: '#2f9e44', '1_30': '#74b816', '31_60': '#f59f00', '61_90': '#f76707', '90_plus': '#e03131' };

export function AgingChart({ report }: { report: AgingReport }) {
  const data = report.buckets.map((b) => ({ ...b, label: bucketLabel[b.bucket] ?? b.bucket }));
  return (
    <figure style={{ margin: 0 }} data-testid="aging-chart">
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ left: 8, right: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" />
          <YAxis tickFormatter={moneyShort} width={60} />
          <Tooltip formatter={(v) => money(Number(v))} />
          <Bar dataKey="balanceCents" name="Balance" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.bucket} fill={bucketColor[d.bucket] ?? '#228be6'} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <figcaption>
        <Text size="xs" c="dimmed" data-testid="aging-summary">
          {data.map((d) => `${d.label} days: ${money(d.balanceCents)} (${d.invoices} invoices)`).join(' · ')}
        </Text>
      </figcaption>
    </figure>
  );
}

export function KpiTrendChart({ points }: { points: KpiReport[] }) {
  const data = points.map((p) => ({ date: calendarDate(p.asOf), DSO: p.dso, ADD: p.add, CEI: p.cei }));
  return (
    <figure style={{ margin: 0 }} data-testid="kpi-chart">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={data} margin={{ left: 0, right: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="date" fontSize={11} />
          <YAxis yAxisId="days" width={40} label={{ value: 'days', angle: -90, position: 'insideLeft', fontSize: 11 }} />
          <YAxis yAxisId="pct" orientation="right" width={40} domain={[0, 100]} label={{ value: 'CEI %', angle: 90, position: 'insideRight', fontSize: 11 }} />
          <Tooltip />
          <Legend />
          <Line yAxisId="days" type="monotone" dataKey="DSO" stroke="#1c7ed6" isAnimationActive={false} connectNulls />
          <Line yAxisId="days" type="monotone" dataKey="ADD" stroke="#e8590c" isAnimationActive={false} connectNulls />
          <Line yAxisId="pct" type="monotone" dataKey="CEI" stroke="#2f9e44" isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
      <VisuallyHidden>
        <figcaption>
          {points.map((p) => `${calendarDate(p.asOf)}: DSO ${p.dso?.toFixed(1) ?? 'n/a'}, ADD ${p.add?.toFixed(1) ?? 'n/a'}, CEI ${p.cei?.toFixed(0) ?? 'n/a'}%`).join('; ')}
        </figcaption>
      </VisuallyHidden>
    </figure>
  );
}

export function FunnelChart({ items }: { items: { stage: string | null; accounts: number; balanceCents: number }[] }) {
  const data = items.map((i) => ({ stage: humanize(i.stage ?? 'not started'), accounts: i.accounts, balance: i.balanceCents }));
  return (
    <figure style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={Math.max(160, data.length * 34)}>
        <BarChart data={data} layout="vertical" margin={{ left: 20, right: 16 }}>
          <XAxis type="number" allowDecimals={false} />
          <YAxis type="category" dataKey="stage" width={130} fontSize={12} />
          <Tooltip formatter={(v, name) => (name === 'balance' ? money(Number(v)) : v)} />
          <Bar dataKey="accounts" name="Accounts" fill="#4263eb" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <VisuallyHidden>
        <figcaption>{data.map((d) => `${d.stage}: ${d.accounts} accounts, ${money(d.balance)}`).join('; ')}</figcaption>
      </VisuallyHidden>
    </figure>
  );
}

export function StepChart({ items }: { items: { stepId: string; sent: number; paidWithin7Days: number }[] }) {
  const data = items.map((i) => ({ step: humanize(i.stepId), paid: Math.round(i.paidWithin7Days * 100), sent: i.sent }));
  return (
    <figure style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ left: 0, right: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="step" fontSize={11} />
          <YAxis unit="%" domain={[0, 100]} width={45} />
          <Tooltip formatter={(v, name) => (name === 'Paid within 7 days' ? `${v}%` : v)} />
          <Bar dataKey="paid" name="Paid within 7 days" fill="#0ca678" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption>
        <Text size="xs" c="dimmed">
          {items.map((i) => `${humanize(i.stepId)}: ${i.sent} sent, ${percent(i.paidWithin7Days)} paid within 7 days`).join(' · ')}
        </Text>
      </figcaption>
    </figure>
  );
}
