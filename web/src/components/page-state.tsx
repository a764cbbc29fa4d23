/** Loading, empty and error states, the same everywhere so people learn them once. */
import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../lib/api-client';

export function PageLoading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">{label}…</Text>
      </Group>
    </Center>
  );
}

export function PageError({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const problem = error instanceof ApiError ? error.problem : null;
  return (
    <Alert color="red" title={title ?? problem?.title ?? 'Could not load this'} role="alert" my="md">
      <Stack gap="xs">
        <Text size="sm">{problem?.detail ?? (problem ? null : errorMessage(error))}</Text>
        {problem?.issues?.length ? (
          <ul>
            {problem.issues.map((i, n) => (
              <li key={n}>
                <Text size="sm">
                  {i.path.join('.')}: {i.message}
                </Text>
              </li>
            ))}
          </ul>
        ) : null}
        {onRetry ? (
          <Group>
            <Button size="xs" variant="light" color="red" onClick={onRetry}>
              Try again
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Alert>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Center py="xl">
      <Stack gap={4} align="center">
        <Text fw={600}>{title}</Text>
        {children ? (
          <Text c="dimmed" size="sm" ta="center" maw={480}>
            {children}
          </Text>
        ) : null}
      </Stack>
    </Center>
  );
}

/** For endpoints the API contract does not have yet: says what is missing instead of failing. */
export function NotAvailable({ what, error }: { what: string; error: unknown }) {
  if (error instanceof ApiError && (error.status === 404 || error.status === 501))
    return (
      <Alert color="gray" title={`${what} is not available on this server yet`} my="sm">
        <Text size="sm">The API does not offer this yet ({error.problem.title}).</Text>
      </Alert>
    );
  return <PageError error={error} title={`Could not load ${what.toLowerCase()}`} />;
}

/** A mutation's failure, phrased for the person who clicked. */
export function MutationError({ error }: { error: unknown }) {
  if (!error) return null;
  return <PageError error={error} title="That did not go through" />;
}
