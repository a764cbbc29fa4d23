/** Administration: users and roles, integration tokens, installation settings. */
import { Stack, Tabs, Title } from '@mantine/core';
import { SettingsPanel } from './settings-panel';
import { TokensPanel } from './tokens-panel';
import { UsersPanel } from './users-panel';

export function AdminPage() {
  return (
    <Stack>
      <Title order={2}>Admin</Title>
      <Tabs defaultValue="users" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="users">Users and roles</Tabs.Tab>
          <Tabs.Tab value="tokens">API tokens</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersPanel />
        </Tabs.Panel>
        <Tabs.Panel value="tokens" pt="md">
          <TokensPanel />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <SettingsPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
