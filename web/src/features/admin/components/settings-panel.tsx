/** Sender identity, pay link, business hours, holidays and the collections floor, each saved on its own. */
import { Alert, Button, Card, Checkbox, Group, NumberInput, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { MutationError, NotAvailable, PageLoading } from '../../../components/page-state';
import { useSaveSetting, useSettings, Settings, type SettingWrite } from '../api/settings';

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function Section({ title, children, onSave, error }: { title: string; children: ReactNode; onSave: () => void; error: string | null }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSave();
        }}
      >
        <Stack gap="xs">
          {children}
          {error ? (
            <Text c="red" size="sm" role="alert">
              {error}
            </Text>
          ) : null}
          <Group>
            <Button type="submit" size="xs">
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function SettingsPanel() {
  const settings = useSettings();
  if (settings.isPending) return <PageLoading />;
  if (settings.isError) return <NotAvailable what="Settings" error={settings.error} />;
  return <SettingsForm initial={settings.data} />;
}

function SettingsForm({ initial }: { initial: Settings }) {
  const save = useSaveSetting();
  const [s, setS] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof Settings, string>>>({});
  const [holidaysText, setHolidaysText] = useState(initial.holidays.map((h) => `${h.date} ${h.name}`).join('\n'));

  const commit = (write: SettingWrite) => {
    const parsed = Settings.shape[write.key].safeParse(write.value);
    if (!parsed.success) return setErrors((e) => ({ ...e, [write.key]: parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ') }));
    setErrors((e) => ({ ...e, [write.key]: undefined }));
    save.mutate(write);
  };

  return (
    <Stack>
      {save.isSuccess ? <Alert color="green">Saved.</Alert> : null}
      <MutationError error={save.error} />
      <Section title="Sender identity" error={errors.sender_identity ?? null} onSave={() => commit({ key: 'sender_identity', value: s.sender_identity })}>
        <Group grow>
          <TextInput label="Signed by" value={s.sender_identity.name} onChange={(e) => setS({ ...s, sender_identity: { ...s.sender_identity, name: e.currentTarget.value } })} />
          <TextInput label="Company" value={s.sender_identity.company} onChange={(e) => setS({ ...s, sender_identity: { ...s.sender_identity, company: e.currentTarget.value } })} />
          <TextInput label="From address" type="email" value={s.sender_identity.email} onChange={(e) => setS({ ...s, sender_identity: { ...s.sender_identity, email: e.currentTarget.value } })} />
        </Group>
        <Textarea
          label="Remittance address (one line each)"
          autosize
          minRows={3}
          value={s.sender_identity.remittanceAddress.join('\n')}
          onChange={(e) => setS({ ...s, sender_identity: { ...s.sender_identity, remittanceAddress: e.currentTarget.value.split('\n').filter((l) => l.trim()) } })}
        />
      </Section>
      <Section title="Pay link" error={errors.pay_link_template ?? null} onSave={() => commit({ key: 'pay_link_template', value: s.pay_link_template })}>
        <TextInput label="Template" description="{accountId} and {invoiceNumber} are filled in per message" value={s.pay_link_template} onChange={(e) => setS({ ...s, pay_link_template: e.currentTarget.value })} />
      </Section>
      <Section title="Default business hours" error={errors.business_hours ?? null} onSave={() => commit({ key: 'business_hours', value: s.business_hours })}>
        <Group>
          <TextInput label="From" type="time" value={s.business_hours.start} onChange={(e) => setS({ ...s, business_hours: { ...s.business_hours, start: e.currentTarget.value } })} />
          <TextInput label="Until" type="time" value={s.business_hours.end} onChange={(e) => setS({ ...s, business_hours: { ...s.business_hours, end: e.currentTarget.value } })} />
        </Group>
        <Checkbox.Group label="Working days" value={s.business_hours.days.map(String)} onChange={(v) => setS({ ...s, business_hours: { ...s.business_hours, days: v.map(Number).sort() } })}>
          <Group mt={4}>
            {weekdays.map((d, i) => (
              <Checkbox key={d} value={String(i + 1)} label={d} />
            ))}
          </Group>
        </Checkbox.Group>
      </Section>
      <Section
        title="Holidays"
        error={errors.holidays ?? null}
        onSave={() =>
          commit({
            key: 'holidays',
            value: holidaysText
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
              .map((l) => ({ date: l.slice(0, 10), name: l.slice(10).trim() || 'Holiday' })),
          })
        }
      >
        <Textarea label="One per line: YYYY-MM-DD name" autosize minRows={4} maxRows={12} value={holidaysText} onChange={(e) => setHolidaysText(e.currentTarget.value)} />
      </Section>
      <Section title="Collections floor" error={errors.collections_floor_cents ?? null} onSave={() => commit({ key: 'collections_floor_cents', value: s.collections_floor_cents })}>
        <NumberInput
          label="Refer to collections only above ($)"
          min={500}
          max={1000}
          value={s.collections_floor_cents / 100}
          onChange={(v) => setS({ ...s, collections_floor_cents: Math.round(Number(v) * 100) || 0 })}
          w={240}
        />
      </Section>
    </Stack>
  );
}
