/** Users and roles. The server refuses to demote the last admin; the answer is shown as it comes. */
import { Button, Card, Group, PasswordInput, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { CreateUserRequest, roles, type Role } from '../../../../../domain/api';
import { MutationError, PageError, PageLoading } from '../../../components/page-state';
import { useUser } from '../../../lib/auth';
import { useCreateUser, useResetMfa, useUnlockUser, useUpdateUser, useUsers } from '../api/users';

function NewUserForm() {
  const create = useCreateUser();
  const [form, setForm] = useState({ name: '', email: '', role: 'clerk' as Role, password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = CreateUserRequest.safeParse(form);
    if (!parsed.success) {
      const errs: Record<string, string> = {};
      for (const i of parsed.error.issues) errs[String(i.path[0])] ??= i.message;
      return setErrors(errs);
    }
    setErrors({});
    create.mutate(parsed.data, { onSuccess: () => setForm({ name: '', email: '', role: 'clerk', password: '' }) });
  };
  return (
    <form onSubmit={submit} aria-label="Add a user">
      <Group align="flex-start" wrap="wrap">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={errors.name} />
        <TextInput label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} error={errors.email} />
        <Select label="Role" allowDeselect={false} data={[...roles]} value={form.role} onChange={(v) => v && setForm({ ...form, role: v as Role })} w={120} />
        <PasswordInput label="Initial password" description="12 characters or more" value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} error={errors.password} />
        <Button type="submit" mt={24} loading={create.isPending}>
          Add user
        </Button>
      </Group>
      <MutationError error={create.error} />
    </form>
  );
}

export function UsersPanel() {
  const me = useUser();
  const users = useUsers();
  const update = useUpdateUser();
  const unlock = useUnlockUser();
  const resetMfa = useResetMfa();
  return (
    <Stack>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">
          Add a user
        </Title>
        <NewUserForm />
      </Card>
      <MutationError error={update.error} />
      {users.isPending ? (
        <PageLoading />
      ) : users.isError ? (
        <PageError error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <Table striped fz="sm" aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Active</Table.Th>
              <Table.Th>Sign-in</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data.items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>
                  {u.name}
                  {u.id === me?.user.id ? (
                    <Text span c="dimmed" size="xs">
                      {' '}
                      (you)
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  <Select
                    size="xs"
                    w={120}
                    aria-label={`Role of ${u.name}`}
                    allowDeselect={false}
                    data={[...roles]}
                    value={u.role}
                    onChange={(v) => v && v !== u.role && update.mutate({ id: u.id, role: v as Role })}
                  />
                </Table.Td>
                <Table.Td>
                  {/* Switching off your own sign-in would lock you out mid-session; another admin must do it. */}
                  <Switch
                    aria-label={`${u.name} may sign in`}
                    checked={u.active}
                    disabled={u.id === me?.user.id}
                    description={u.id === me?.user.id ? 'Another admin can change this' : undefined}
                    onChange={(e) => update.mutate({ id: u.id, active: e.currentTarget.checked })}
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="default" onClick={() => unlock.mutate(u.id)} loading={unlock.isPending && unlock.variables === u.id} aria-label={`Unlock ${u.name}`}>
                      {unlock.isSuccess && unlock.variables === u.id ? 'Unlock: done' : 'Unlock'}
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="orange"
                      onClick={() => window.confirm(`Remove ${u.name}'s authenticator app? They set up a new one at next sign-in, and their sessions end.`) && resetMfa.mutate(u.id)}
                      aria-label={`Reset 2FA (the authenticator app) of ${u.name}`}
                    >
                      {resetMfa.isSuccess && resetMfa.variables === u.id ? 'Reset 2FA: done' : 'Reset 2FA'}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
