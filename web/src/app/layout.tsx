/** The frame around every signed-in page: navigation limited to what the role may use, and sign-out. */
import { AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, NavLink as RouterNavLink, Outlet, useLocation } from 'react-router';
import { useLogout, useUser } from '../lib/auth';
import { can, type Capability } from '../lib/authorization';
import { LiveProvider } from '../lib/live';

export const navItems: { to: string; label: string; capability: Capability }[] = [
  { to: '/queue', label: 'Copilot queue', capability: 'queue:read' },
  { to: '/replies', label: 'Replies', capability: 'queue:read' },
  { to: '/accounts', label: 'Accounts', capability: 'accounts:read' },
  { to: '/calls', label: 'Calls', capability: 'calls:read' },
  { to: '/command-center', label: 'Command center', capability: 'metrics:read' },
  { to: '/policies', label: 'Policy', capability: 'policies:write' },
  { to: '/imports', label: 'Import', capability: 'imports:run' },
  { to: '/admin', label: 'Admin', capability: 'users:manage' },
];

export function AppLayout() {
  const me = useUser();
  const logout = useLogout();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);

  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header className="no-print">
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4">
              Tactful
            </Title>
          </Group>
          <Group gap="sm">
            <Text size="sm" data-testid="signed-in-as">
              {me?.user.name} <Text span c="dimmed">({me?.user.role})</Text>
            </Text>
            <Button size="xs" variant="subtle" component={Link} to="/account">
              Your account
            </Button>
            <Button size="xs" variant="default" onClick={() => logout.mutate()} loading={logout.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" className="no-print" aria-label="Main">
        <Stack gap={2} component="nav">
          {navItems
            .filter((n) => can(me, n.capability))
            .map((n) => (
              <NavLink
                key={n.to}
                component={RouterNavLink}
                to={n.to}
                label={n.label}
                active={location.pathname.startsWith(n.to)}
                onClick={close}
              />
            ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <LiveProvider>
          <Outlet />
        </LiveProvider>
      </AppShell.Main>
    </AppShell>
  );
}

/** Where "/" goes: the first page this role works in. */
export function homeFor(me: ReturnType<typeof useUser>): string {
  if (can(me, 'queue:decide')) return '/queue';
  if (can(me, 'calls:log')) return '/calls';
  if (can(me, 'metrics:read')) return '/command-center';
  return '/accounts';
}
