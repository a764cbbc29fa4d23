/**
 * Import, for managers and admins: drop a QuickBooks or Xero export (.xlsx or .csv), read the dry run —
 * what every line would do, paid or settled in the books included, and the file's own totals checked —
 * then confirm. Nothing is written before the confirmation, and a file with any error is not written.
 */
import { useState, type DragEvent } from 'react';
import { Alert, Badge, Button, Checkbox, FileButton, Group, Paper, Progress, Select, Stack, Table, Text, Title } from '@mantine/core';
import { MutationError } from '../../../components/page-state';
import { calendarDate, money } from '../../../lib/format';
import { useImportFile, type ImportAnswer, type ImportProgress, type ImportReport } from '../api/imports';

const OUTCOME: Record<ImportReport['lines'][number]['outcome'], { label: string; color: string }> = {
  created: { label: 'created', color: 'blue' },
  updated: { label: 'updated', color: 'cyan' },
  unchanged: { label: 'unchanged', color: 'gray' },
  paid_in_books: { label: 'paid in the books', color: 'green' },
  settled_in_books: { label: 'settled in the books', color: 'teal' },
  absent_customer: { label: 'not in the report, left open', color: 'gray' },
  paid_before_import: { label: 'paid before import', color: 'lime' },
  credit: { label: 'credit', color: 'violet' },
  payment: { label: 'payment', color: 'green' },
  client_created: { label: 'client created', color: 'blue' },
  client_updated: { label: 'client updated', color: 'cyan' },
  checked: { label: 'matches', color: 'gray' },
  reported: { label: 'differs: not changed', color: 'orange' },
};

const SHOWN = 500;

function Summary({ report }: { report: ImportReport }) {
  const open = Object.entries(report.file.open)
    .map(([c, v]) => money(v, c))
    .join(' + ');
  return (
    <Stack gap={4}>
      <Text fw={600} data-testid="import-shape">
        {report.shape}
        {report.asOf ? `, as of ${calendarDate(report.asOf)}` : ''}
      </Text>
      <Text size="sm" c="dimmed">
        {report.file.invoices} invoices, {report.file.credits} credits, {report.file.customers} customers{open ? `; open ${open}` : ''}
      </Text>
      <Text size="sm" c="dimmed">
        Report furniture skipped: {report.furniture.titles} title lines, {report.furniture.headings} headings, {report.furniture.totals} total lines, {report.furniture.footers} footers, {report.furniture.blank} blank lines.
      </Text>
      <Group gap="xs">
        <Badge variant="light">{report.accountsCreated} clients created</Badge>
        <Badge variant="light">{report.invoicesCreated} invoices created</Badge>
        <Badge variant="light" color="cyan">{report.invoicesUpdated} updated</Badge>
        <Badge variant="light" color="gray">{report.invoicesUnchanged} unchanged</Badge>
        <Badge variant="light" color="green">{report.paidInBooks} paid in the books</Badge>
        <Badge variant="light" color="teal">{report.settledInBooks} settled in the books</Badge>
        {report.absentCustomers > 0 && <Badge variant="light" color="gray">{report.absentCustomers} invoices of customers not in the report, left open</Badge>}
        <Badge variant="light" color={report.errors.length ? 'red' : 'gray'}>{report.errors.length} errors</Badge>
      </Group>
    </Stack>
  );
}

function Totals({ report }: { report: ImportReport }) {
  if (report.totals.length === 0) return null;
  const currency = Object.keys(report.file.open)[0] ?? 'USD';
  return (
    <Stack gap={4}>
      <Title order={4}>The file's own totals</Title>
      <Table striped withTableBorder aria-label="Totals reconciled to the file">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Line</Table.Th>
            <Table.Th>Total line</Table.Th>
            <Table.Th>Column</Table.Th>
            <Table.Th ta="right">File says</Table.Th>
            <Table.Th ta="right">Rows add up to</Table.Th>
            <Table.Th>Check</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.totals.map((t) => (
            <Table.Tr key={`${t.line}-${t.column}`}>
              <Table.Td>{t.line}</Table.Td>
              <Table.Td>{t.label}</Table.Td>
              <Table.Td>{t.column}</Table.Td>
              <Table.Td ta="right">{money(t.fileCents, currency)}</Table.Td>
              <Table.Td ta="right">{money(t.rowsCents, currency)}</Table.Td>
              <Table.Td>{t.fileCents === t.rowsCents ? <Badge color="green" variant="light">reconciled</Badge> : <Text size="sm">differs by {money(t.rowsCents - t.fileCents, currency)}: {t.note}</Text>}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function Lines({ report }: { report: ImportReport }) {
  if (report.lines.length === 0) return null;
  return (
    <Stack gap={4}>
      <Title order={4}>Line by line</Title>
      <Table striped withTableBorder aria-label="What each line does">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Line</Table.Th>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Invoice</Table.Th>
            <Table.Th>What happens</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>Note</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.lines.slice(0, SHOWN).map((l, i) => (
            <Table.Tr key={i} data-outcome={l.outcome}>
              <Table.Td>{l.row ?? '—'}</Table.Td>
              <Table.Td>{l.customer}</Table.Td>
              <Table.Td>{l.number ?? ''}</Table.Td>
              <Table.Td>
                <Badge color={OUTCOME[l.outcome].color} variant="light">
                  {OUTCOME[l.outcome].label}
                </Badge>
              </Table.Td>
              <Table.Td ta="right">{l.amountCents === null ? '' : money(l.amountCents, l.currency ?? 'USD')}</Table.Td>
              <Table.Td>
                <Text size="sm">{l.message ?? ''}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {report.lines.length > SHOWN && <Text size="sm">…and {report.lines.length - SHOWN} more lines.</Text>}
    </Stack>
  );
}

function Errors({ report }: { report: ImportReport }) {
  if (report.errors.length === 0) return null;
  return (
    <Alert color="red" title={`Nothing can be imported: ${report.errors.length} problem(s) in the file`}>
      <Table aria-label="Problems in the file">
        <Table.Tbody>
          {report.errors.slice(0, 200).map((e, i) => (
            <Table.Tr key={i}>
              <Table.Td>line {e.row}</Table.Td>
              <Table.Td>{e.column ?? ''}</Table.Td>
              <Table.Td>{e.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Alert>
  );
}

function Report({ answer }: { answer: ImportAnswer }) {
  const r = answer.report;
  return (
    <Stack>
      <Summary report={r} />
      <Errors report={r} />
      {r.notes.map((n) => (
        <Alert key={n} color="yellow">
          {n}
        </Alert>
      ))}
      {r.accountsWithoutContact.length > 0 && (
        <Alert color="gray" title="Still without a contact to write to">
          {r.accountsWithoutContact.join(', ')}. Import a contact list (QuickBooks Customer Contact List or Xero Contacts) or add one on the account.
        </Alert>
      )}
      <Totals report={r} />
      <Lines report={r} />
    </Stack>
  );
}

/** What the server has done so far: the file's rows, then telling each touched account's workflow. */
function ImportProgressBar({ progress, rows }: { progress: ImportProgress | null; rows: number | null }) {
  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
  const label = !progress
    ? `Sending the file${rows ? ` (${rows} rows)` : ''}…`
    : progress.phase === 'rows'
      ? `Writing row ${progress.done} of ${progress.total}`
      : `Telling the accounts' workflows: ${progress.done} of ${progress.total}`;
  return (
    <Stack gap={4}>
      <Text aria-live="polite">{label}</Text>
      <Progress value={progress ? pct : 100} animated={!progress} striped={!progress} aria-label={label} />
    </Stack>
  );
}

export function ImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [currency, setCurrency] = useState<string | null>(null);
  const [dateOrder, setDateOrder] = useState<'auto' | 'mdy' | 'dmy'>('auto');
  const [settleAbsent, setSettleAbsent] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [dragging, setDragging] = useState(false);
  const preview = useImportFile();
  const commit = useImportFile();

  const check = (f: File | null, opts = { currency, dateOrder, settleAbsent }) => {
    setFile(f);
    commit.reset();
    if (f) preview.mutate({ file: f, dryRun: true, currency: opts.currency ?? undefined, dateOrder: opts.dateOrder, settleAbsent: opts.settleAbsent });
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    check(e.dataTransfer.files[0] ?? null);
  };
  const ready = preview.data?.accepted === true && !commit.data;

  return (
    <Stack>
      <Title order={2}>Import</Title>
      <Text size="sm">
        Drop an export as you downloaded it, in Excel or CSV: QuickBooks A/R Aging Detail or Summary, Open Invoices or Customer Contact List; Xero Aged Receivables Detail or Summary, or Contacts. You see what it
        would do first; nothing is written until you confirm.
      </Text>
      <Paper
        withBorder
        p="xl"
        radius="md"
        style={{ borderStyle: 'dashed', background: dragging ? 'var(--mantine-color-blue-light)' : undefined }}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        aria-label="Drop a file here"
      >
        <Group justify="space-between">
          <Text>{file ? file.name : 'Drop a .xlsx or .csv file here'}</Text>
          <FileButton onChange={(f) => check(f)} accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
            {(props) => <Button {...props}>Choose a file</Button>}
          </FileButton>
        </Group>
      </Paper>
      <Group>
        <Select
          label="Currency of amounts without one"
          placeholder="from the file, else USD"
          data={['USD', 'CAD', 'GBP', 'EUR', 'AUD', 'NZD']}
          value={currency}
          clearable
          onChange={(v) => {
            setCurrency(v);
            if (file) check(file, { currency: v, dateOrder, settleAbsent });
          }}
          w={240}
        />
        <Select
          label="Dates such as 03/04/2026"
          data={[
            { value: 'auto', label: "as the report's title says" },
            { value: 'mdy', label: 'month first' },
            { value: 'dmy', label: 'day first' },
          ]}
          value={dateOrder}
          allowDeselect={false}
          onChange={(v) => {
            const order = (v ?? 'auto') as 'auto' | 'mdy' | 'dmy';
            setDateOrder(order);
            if (file) check(file, { currency, dateOrder: order, settleAbsent });
          }}
          w={240}
        />
        <Checkbox
          mt="lg"
          label="The report covers every customer: settle customers missing from it"
          description="Only for an unfiltered aging report, which leaves out exactly the customers who owe nothing."
          checked={settleAbsent}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            setSettleAbsent(on);
            if (file) check(file, { currency, dateOrder, settleAbsent: on });
          }}
        />
      </Group>
      <MutationError error={preview.error} />
      {preview.isPending && <Progress value={100} animated striped aria-label="Reading the file" />}
      {commit.isPending && <ImportProgressBar progress={progress} rows={preview.data?.report.rows ?? null} />}
      <MutationError error={commit.error} />
      {commit.data?.accepted && (
        <Alert color="green" title="Imported">
          {commit.data.report.rows} rows written as shown below.{' '}
          {commit.data.report.workflow ? `${commit.data.report.workflow.signaled} accounts' next actions are being worked out now.` : ''}
        </Alert>
      )}
      {ready && (
        <Group>
          <Button
            onClick={() => {
              if (!file) return;
              setProgress(null);
              commit.mutate({ file, dryRun: false, currency: currency ?? undefined, dateOrder, settleAbsent, onProgress: setProgress });
            }}
            loading={commit.isPending}
          >
            Confirm and import
          </Button>
          <Text size="sm" c="dimmed">
            This is a dry run: nothing is written yet.
          </Text>
        </Group>
      )}
      {(commit.data ?? preview.data) && <Report answer={(commit.data ?? preview.data)!} />}
    </Stack>
  );
}
