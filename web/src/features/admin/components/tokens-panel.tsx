/** Integration tokens for PSA/accounting pushes. The secret is shown once; afterwards only its name. */
import { Alert, Button, Card, Code, CopyButton, Group, MultiSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { CreateApiTokenRequest, tokenScopes, type CreatedApiToken, type TokenScope } from '../../../../../domain/api';
import { EmptyState, MutationError, PageError, PageLoading } from '../../../components/page-state';
import { dateTime } from '../../../lib/format';
import { useCreateToken, useRevokeToken, useTokens } from '../api/tokens';

export function TokensPanel() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TokenScope[]>(['read']);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = CreateApiTokenRequest.safeParse({ name, scopes });
    if (!parsed.success) return setError('Give the token a name and at least one scope.');
    setError(null);
    create.mutate(parsed.data, {
      onSuccess: (t) => {
        setCreated(t);
        setName('');
      },
    });
  };

  return (
    <Stack>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">
          New token
        </Title>
        <form onSubmit={submit} aria-label="Create an API token">
          <Group align="flex-start" wrap="wrap">
            <TextInput label="Name" placeholder="e.g. ConnectWise sync" value={name} onChange={(e) => setName(e.currentTarget.value)} error={error} />
            <MultiSelect label="Scopes" data={[...tokenScopes]} value={scopes} onChange={(v) => setScopes(v as TokenScope[])} w={320} />
            <Button type="submit" mt={24} loading={create.isPending}>
              Create token
            </Button>
          </Group>
        </form>
        <MutationError error={create.error} />
        {created ? (
          <Alert color="green" mt="sm" title={`Token “${created.name}” created`} withCloseButton onClose={() => setCreated(null)}>
            <Stack gap={4}>
              <Text size="sm">Copy it now: it is not shown again. Send it as Authorization: Bearer &lt;token&gt;.</Text>
              <Group gap="xs">
                <Code data-testid="new-token">{created.token}</Code>
                <CopyButton value={created.token}>{({ copied, copy }) => <Button size="compact-xs" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
              </Group>
            </Stack>
          </Alert>
        ) : null}
      </Card>
      <MutationError error={revoke.error} />
      {tokens.isPending ? (
        <PageLoading />
      ) : tokens.isError ? (
        <PageError error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.items.length === 0 ? (
        <EmptyState title="No tokens yet">Integrations push clients, invoices and payments with a token.</EmptyState>
      ) : (
        <Table striped fz="sm" aria-label="API tokens">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Scopes</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.data.items.map((t) => (
              <Table.Tr key={t.id} style={{ opacity: t.revokedAt ? 0.5 : 1 }}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{t.scopes.join(', ')}</Table.Td>
                <Table.Td>{dateTime(t.createdAt)}</Table.Td>
                <Table.Td>{t.lastUsedAt ? dateTime(t.lastUsedAt) : 'never'}</Table.Td>
                <Table.Td>{t.expiresAt ? dateTime(t.expiresAt) : 'never'}</Table.Td>
                <Table.Td>
                  {t.revokedAt ? (
                    <Text size="xs">revoked {dateTime(t.revokedAt)}</Text>
                  ) : (
                    <Button size="compact-xs" color="red" variant="light" onClick={() => window.confirm(`Revoke “${t.name}”? Integrations using it stop working.`) && revoke.mutate(t.id)}>
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
