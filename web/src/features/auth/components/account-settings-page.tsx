/**
 * The signed-in person's own account: change the password (other sessions end), sign out on every
 * device, and set up the authenticator app that admins and managers must use.
 */
import { Alert, Button, Code, Group, List, Paper, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { NewPassword } from '../../../../../domain/api';
import { errorMessage } from '../../../lib/api-client';
import { useUser } from '../../../lib/auth';
import { useChangePassword, useConfirmTotp, useLogoutEverywhere, useNewRecoveryCodes, useStartTotp } from '../api/account';

function PasswordForm() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = NewPassword.safeParse(next);
    if (!parsed.success) return setError(parsed.error.issues[0].message);
    setError(null);
    change.mutate({ currentPassword: current, newPassword: next }, { onSuccess: () => (setCurrent(''), setNext('')) });
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="password-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h4" id="password-title">
            Password
          </Title>
          <Text size="sm" c="dimmed">
            At least 12 characters; a few unrelated words make a good one. Common and breached passwords are refused. Your other sessions end when it changes.
          </Text>
          {change.isSuccess ? <Alert color="green">Password changed; {change.data.otherSessionsEnded} other session(s) ended.</Alert> : null}
          {change.error ? <Alert color="red" role="alert">{errorMessage(change.error)}</Alert> : null}
          <PasswordInput label="Current password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.currentTarget.value)} required />
          <PasswordInput label="New password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.currentTarget.value)} error={error} required />
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <Alert color="yellow" title="Your recovery codes: shown once">
      <Text size="sm">Keep them somewhere safe and offline. Each signs you in once if you lose your phone.</Text>
      <List size="sm" mt="xs" ff="monospace">
        {codes.map((c) => (
          <List.Item key={c}>{c}</List.Item>
        ))}
      </List>
    </Alert>
  );
}

function SecondFactor() {
  const me = useUser();
  const start = useStartTotp();
  const confirm = useConfirmTotp();
  const renew = useNewRecoveryCodes();
  const [code, setCode] = useState('');
  const codes = confirm.data?.recoveryCodes ?? renew.data?.recoveryCodes;
  const enabled = me?.mfa.enabled;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="mfa-title">
      <Stack>
        <Title order={2} size="h4" id="mfa-title">
          Authenticator app
        </Title>
        {me?.mfa.required && !enabled ? (
          <Alert color="orange" role="alert">
            As an {me.user.role}, you must set up an authenticator app before using Tactful.
          </Alert>
        ) : null}
        {codes ? <RecoveryCodeList codes={codes} /> : null}
        {enabled ? (
          <>
            <Text size="sm">A code from your authenticator app is asked for at each sign-in. Recovery codes left: {me?.mfa.recoveryCodesLeft}.</Text>
            <Group>
              <Button variant="default" onClick={() => renew.mutate()} loading={renew.isPending}>
                New recovery codes
              </Button>
            </Group>
          </>
        ) : start.data ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              confirm.mutate(code.trim());
            }}
          >
            <Stack>
              <Text size="sm">
                In your authenticator app, add an account with this key (or open the link on the phone), then enter the six-digit code it shows.
              </Text>
              <Code block aria-label="Secret key">
                {start.data.secret.replace(/(.{4})/g, '$1 ').trim()}
              </Code>
              <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
                <a href={start.data.otpauthUrl}>{start.data.otpauthUrl}</a>
              </Text>
              {confirm.error ? <Alert color="red" role="alert">{errorMessage(confirm.error)}</Alert> : null}
              <TextInput label="Code from the app" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.currentTarget.value)} maxLength={6} required />
              <Group>
                <Button type="submit" loading={confirm.isPending}>
                  Turn on
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <Group>
            {start.error ? <Alert color="red">{errorMessage(start.error)}</Alert> : null}
            <Button onClick={() => start.mutate()} loading={start.isPending}>
              Set up an authenticator app
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

export function AccountSettingsPage() {
  const me = useUser();
  const everywhere = useLogoutEverywhere();
  return (
    <Stack maw={960}>
      <Title order={1} size="h2">
        Your account
      </Title>
      <Text c="dimmed">{me ? `${me.user.name} · ${me.user.email}` : null}</Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <PasswordForm />
        <SecondFactor />
      </SimpleGrid>
      <Paper withBorder p="md" component="section">
        <Group justify="space-between">
          <Text size="sm">Signed in on a computer you no longer use? End every session, this one included.</Text>
          <Button color="red" variant="light" onClick={() => everywhere.mutate()} loading={everywhere.isPending}>
            Sign out everywhere
          </Button>
        </Group>
      </Paper>
    </Stack>
  );
}
