/**
 * The policy editor for managers: steps, offsets, tones, sensitivity and segments, checked with the
 * shared PolicyDefinition schema as they type, and a diff against the saved version before saving.
 */
import { ActionIcon, Alert, Badge, Button, Card, Checkbox, Grid, Group, Modal, MultiSelect, NavLink, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { segments, tones } from '../../../../../domain/facts';
import { channels, PolicyDefinition, stepKinds, type PolicyStep } from '../../../../../domain/policy/schema';
import { describePolicyChanges } from '../../../../../domain/policy/changes';
import { MutationError, PageError, PageLoading } from '../../../components/page-state';
import { ApiError } from '../../../lib/api-client';
import { diffLines, hasChanges } from '../../../lib/diff';
import { dateTime, humanize } from '../../../lib/format';
import { usePolicies, useSavePolicy, type PolicyVersion } from '../api/policies';

const opts = (values: readonly string[]) => values.map((v) => ({ value: v, label: humanize(v) }));
const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export function PolicyPage() {
  const policies = usePolicies();
  const [selected, setSelected] = useState<string | null>(null);
  if (policies.isPending) return <PageLoading label="Loading policies" />;
  if (policies.isError) return <PageError error={policies.error} onRetry={() => void policies.refetch()} />;
  const current = policies.data.items.find((p) => p.name === selected) ?? policies.data.items[0];

  return (
    <Stack>
      <Title order={2}>Escalation policy</Title>
      {policies.data.fromDefaults ? (
        <Alert color="gray" title="Showing the built-in policies">
          This server does not offer policy storage yet, so these are the defaults that ship with Tactful. You can edit and check them here; saving
          needs the policy endpoint.
        </Alert>
      ) : null}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Card withBorder padding="xs" component="nav" aria-label="Policies">
            {policies.data.items.map((p) => (
              <NavLink
                key={p.name}
                label={p.name}
                description={`${p.definition.segments.length ? p.definition.segments.map(humanize).join(', ') : 'default'}${p.version ? ` · v${p.version}` : ''}`}
                active={p.name === current?.name}
                onClick={() => setSelected(p.name)}
              />
            ))}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>{current ? <PolicyEditor key={`${current.name}:${current.version}`} saved={current} canSave={!policies.data.fromDefaults} /> : null}</Grid.Col>
      </Grid>
    </Stack>
  );
}

function PolicyEditor({ saved, canSave }: { saved: PolicyVersion; canSave: boolean }) {
  const [draft, setDraft] = useState<PolicyDefinition>(() => structuredClone(saved.definition));
  const [reviewing, setReviewing] = useState(false);
  const save = useSavePolicy();

  const check = useMemo(() => PolicyDefinition.safeParse(draft), [draft]);
  const issues = check.success ? [] : check.error.issues;
  const issueAt = (...path: (string | number)[]) => issues.find((i) => path.every((p, n) => i.path[n] === p) && i.path.length >= path.length)?.message;
  const diff = useMemo(() => diffLines(pretty(saved.definition), pretty(check.success ? check.data : draft)), [saved.definition, draft, check]);
  const changed = hasChanges(diff);
  const changeList = useMemo(() => {
    const parsedSaved = PolicyDefinition.safeParse(saved.definition);
    return check.success && parsedSaved.success ? describePolicyChanges(parsedSaved.data, check.data) : [];
  }, [saved.definition, check]);

  const setStep = (i: number, patch: Partial<PolicyStep>) => setDraft((d) => ({ ...d, steps: d.steps.map((s, n) => (n === i ? { ...s, ...patch } : s)) }));
  const moveStep = (i: number, by: number) =>
    setDraft((d) => {
      const steps = [...d.steps];
      const [s] = steps.splice(i, 1);
      steps.splice(i + by, 0, s);
      return { ...d, steps };
    });
  const addStep = () =>
    setDraft((d) => {
      const last = d.steps[d.steps.length - 1];
      const step: PolicyStep = {
        id: `step_${d.steps.length + 1}`,
        kind: 'second_reminder',
        label: 'New step',
        offsetDays: (last?.offsetDays ?? 0) + 7,
        channel: 'email',
        baseTone: 'neutral',
        sensitive: true,
        humanOnly: false,
        allowsConsequences: false,
        statesInterruption: false,
        requiresPayLink: false,
        conditions: {},
        enabled: true,
      };
      return { ...d, steps: [...d.steps, step] };
    });
  const num = (v: number | string) => (typeof v === 'number' ? v : Number.parseInt(v, 10) || 0);

  return (
    <Stack>
      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h4">
            {saved.name} {saved.version ? <Badge variant="light">v{saved.version}</Badge> : null}
          </Title>
          {saved.version ? (
            <Text size="xs" c="dimmed">
              Saved {dateTime(saved.createdAt)}
              {saved.createdBy ? ` by ${saved.createdBy}` : ''}
            </Text>
          ) : null}
        </Group>
        <Grid gap="sm">
          <Grid.Col span={{ base: 12, md: 6 }}>
            <TextInput label="Name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} error={issueAt('name')} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <MultiSelect
              label="Segments"
              description="Empty: the default policy for every account without its own"
              data={opts(segments)}
              value={draft.segments}
              onChange={(v) => setDraft({ ...draft, segments: v as PolicyDefinition['segments'] })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 2 }}>
            <NumberInput label="Cool-down days" min={0} max={30} value={draft.rules.coolDownDays} onChange={(v) => setDraft({ ...draft, rules: { ...draft.rules, coolDownDays: num(v) } })} error={issueAt('rules', 'coolDownDays')} />
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 2 }}>
            <NumberInput label="Promise grace days" min={0} max={30} value={draft.rules.promiseGraceDays} onChange={(v) => setDraft({ ...draft, rules: { ...draft.rules, promiseGraceDays: num(v) } })} error={issueAt('rules', 'promiseGraceDays')} />
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 3 }}>
            <NumberInput
              label="Large balance ($)"
              min={0}
              thousandSeparator=","
              value={draft.rules.largeBalanceCents / 100}
              onChange={(v) => setDraft({ ...draft, rules: { ...draft.rules, largeBalanceCents: Math.round(Number(v) * 100) || 0 } })}
              error={issueAt('rules', 'largeBalanceCents')}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 3 }}>
            {/* The floor lives in one place: the installation setting overrides any policy's value. */}
            <Text size="sm" fw={500}>
              Collections floor
            </Text>
            <Text size="xs" data-testid="collections-floor-note">
              Set once for every policy in Admin → Settings; that setting is the one the engine uses.
            </Text>
          </Grid.Col>
          <Grid.Col span={{ base: 6, md: 2 }}>
            <NumberInput label="Approval deadline (h)" min={1} max={336} value={draft.rules.approvalDeadlineHours} onChange={(v) => setDraft({ ...draft, rules: { ...draft.rules, approvalDeadlineHours: num(v) } })} error={issueAt('rules', 'approvalDeadlineHours')} />
          </Grid.Col>
        </Grid>
      </Card>

      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h5">
            Steps (days relative to the oldest unpaid invoice's due date)
          </Title>
          <Button size="xs" variant="light" onClick={addStep} disabled={draft.steps.length >= 20}>
            Add step
          </Button>
        </Group>
        <Table.ScrollContainer minWidth={980}>
          <Table fz="sm" verticalSpacing={4} aria-label="Policy steps">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Order</Table.Th>
                <Table.Th>Id / label</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Day</Table.Th>
                <Table.Th>Until</Table.Th>
                <Table.Th>Channel</Table.Th>
                <Table.Th>Tone</Table.Th>
                <Table.Th>Rules</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {draft.steps.map((s, i) => (
                <Table.Tr key={i} style={{ opacity: s.enabled ? 1 : 0.55 }}>
                  <Table.Td>
                    <Group gap={2} wrap="nowrap">
                      <ActionIcon size="sm" variant="subtle" aria-label={`Move ${s.label} up`} disabled={i === 0} onClick={() => moveStep(i, -1)}>
                        ↑
                      </ActionIcon>
                      <ActionIcon size="sm" variant="subtle" aria-label={`Move ${s.label} down`} disabled={i === draft.steps.length - 1} onClick={() => moveStep(i, 1)}>
                        ↓
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <TextInput size="xs" aria-label={`Step ${i + 1} id`} value={s.id} onChange={(e) => setStep(i, { id: e.currentTarget.value })} error={issueAt('steps', i, 'id')} />
                      <TextInput size="xs" aria-label={`Step ${i + 1} label`} value={s.label} onChange={(e) => setStep(i, { label: e.currentTarget.value })} error={issueAt('steps', i, 'label')} />
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Select size="xs" aria-label={`Step ${i + 1} kind`} allowDeselect={false} data={opts(stepKinds)} value={s.kind} onChange={(v) => v && setStep(i, { kind: v as PolicyStep['kind'] })} w={150} />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput size="xs" aria-label={`Step ${i + 1} day offset`} w={70} min={-60} max={365} value={s.offsetDays} onChange={(v) => setStep(i, { offsetDays: num(v) })} error={issueAt('steps', i, 'offsetDays')} />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      size="xs"
                      aria-label={`Step ${i + 1} window end day`}
                      w={70}
                      placeholder="—"
                      value={s.windowEndDays ?? ''}
                      onChange={(v) => setStep(i, { windowEndDays: v === '' ? undefined : num(v) })}
                      error={issueAt('steps', i, 'windowEndDays')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select size="xs" aria-label={`Step ${i + 1} channel`} allowDeselect={false} data={opts(channels)} value={s.channel} onChange={(v) => v && setStep(i, { channel: v as PolicyStep['channel'] })} w={130} />
                  </Table.Td>
                  <Table.Td>
                    <Select size="xs" aria-label={`Step ${i + 1} tone`} allowDeselect={false} data={opts(tones)} value={s.baseTone} onChange={(v) => v && setStep(i, { baseTone: v as PolicyStep['baseTone'] })} w={100} />
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Checkbox size="xs" label="Sensitive (always a person)" checked={s.sensitive} onChange={(e) => setStep(i, { sensitive: e.currentTarget.checked })} />
                      <Checkbox size="xs" label="Person takes it" checked={s.humanOnly} onChange={(e) => setStep(i, { humanOnly: e.currentTarget.checked })} />
                      <Checkbox size="xs" label="May name consequences" checked={s.allowsConsequences} onChange={(e) => setStep(i, { allowsConsequences: e.currentTarget.checked })} />
                      <Checkbox size="xs" label="Enabled" checked={s.enabled} onChange={(e) => setStep(i, { enabled: e.currentTarget.checked })} />
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove ${s.label}`} onClick={() => setDraft((d) => ({ ...d, steps: d.steps.filter((_, n) => n !== i) }))}>
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>

      {issues.length ? (
        <Alert color="red" title="This policy cannot be saved yet" role="alert" data-testid="policy-issues">
          <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
            {issues.map((i, n) => (
              <li key={n}>
                <Text size="sm">
                  {i.path.map(String).join(' › ')}: {i.message}
                </Text>
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}

      <Group>
        <Button onClick={() => setReviewing(true)} disabled={!changed || issues.length > 0}>
          Review changes…
        </Button>
        <Button variant="default" onClick={() => setDraft(structuredClone(saved.definition))} disabled={!changed}>
          Discard changes
        </Button>
        {!changed ? (
          <Text size="sm" c="dimmed">
            No changes.
          </Text>
        ) : null}
      </Group>

      <Modal opened={reviewing} onClose={() => setReviewing(false)} title={`Save ${draft.name} as a new version`} size="xl" closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack>
          <Text size="sm">Accounts on this policy pick up the new version at their next step. The old version stays in the history.</Text>
          <Card withBorder mah={420} style={{ overflow: 'auto' }}>
            {/* Sentences a reviewer can check, not the whole policy as data. */}
            <Stack component="ul" gap={4} m={0} pl="md" aria-label="Policy changes" data-testid="policy-changes">
              {changeList.map((c) => (
                <Text component="li" size="sm" key={c}>
                  {c}
                </Text>
              ))}
            </Stack>
          </Card>
          {!canSave ? <Alert color="gray">Saving needs the policy endpoint on the API (POST /api/policies).</Alert> : null}
          {save.error instanceof ApiError && save.error.status === 409 ? (
            <Alert color="yellow">Someone saved a newer version while you were editing. Reload to see it, then apply your change again.</Alert>
          ) : (
            <MutationError error={save.error} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setReviewing(false)}>
              Keep editing
            </Button>
            <Button
              disabled={!canSave || !check.success}
              loading={save.isPending}
              onClick={() => check.success && save.mutate({ basedOnVersion: saved.version || null, definition: check.data }, { onSuccess: () => setReviewing(false) })}
            >
              Save version {saved.version + 1}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
