import { AppShell, Badge, Burger, Button, Group, Loader, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconBell, IconChevronDown, IconFlask, IconHistory, IconKey, IconLifebuoy, IconLogout, IconWorld } from '@tabler/icons-react';
import { Suspense, useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useMe, useSignOut } from '../api/auth';
import { Logo } from './Logo';

export function Layout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const me = useMe().data!;
  const location = useLocation();
  const navigate = useNavigate();
  const endSession = useSignOut();
  const hasAccount = me.accounts.length > 0;
  const account = me.accounts.find((a) => a.id === me.current_account_id) ?? me.accounts[0];

  // On a phone the navigation closes once the user has picked a page.
  useEffect(close, [location.pathname, close]);

  const signOut = async () => {
    await endSession();
    notifications.show({ message: 'You are signed out.' });
    await navigate('/signin');
  };

  const links = [
    ...(hasAccount
      ? [
          { to: '/zones', label: 'Zones', icon: IconWorld },
          { to: '/account', label: 'Beta features', icon: IconFlask },
          ...(account?.role === 'owner'
            ? [
                { to: '/tokens', label: 'API tokens', icon: IconKey },
                { to: '/notifications', label: 'Notifications', icon: IconBell },
                { to: '/audit', label: 'Audit log', icon: IconHistory },
              ]
            : []),
        ]
      : []),
    ...(me.user.is_support ? [{ to: '/support', label: 'Support console', icon: IconLifebuoy }] : []),
  ];

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
              aria-expanded={opened}
              aria-controls="main-navigation"
            />
            <UnstyledButton component={Link} to="/" aria-label="Vigil home">
              <Logo />
            </UnstyledButton>
          </Group>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button
                variant="subtle"
                color="gray"
                rightSection={<IconChevronDown size={14} aria-hidden />}
                aria-label={`Account menu for ${me.user.email}`}
              >
                <Text size="sm" truncate maw={{ base: 150, sm: 320 }}>
                  {me.user.email}
                </Text>
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {account && (
                <Menu.Label>
                  {account.name} · {account.role}
                </Menu.Label>
              )}
              {me.user.is_support && (
                <Menu.Label>
                  <Badge size="xs" color="grape">
                    support staff
                  </Badge>
                </Menu.Label>
              )}
              <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut()}>
                Sign out
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" id="main-navigation" aria-label="Main navigation" component="nav">
        <ScrollArea>
          {links.map((l) => (
            <NavLink
              key={l.to}
              component={Link}
              to={l.to}
              label={l.label}
              leftSection={<l.icon size={18} aria-hidden />}
              active={location.pathname === l.to || location.pathname.startsWith(`${l.to}/`)}
              aria-current={location.pathname === l.to ? 'page' : undefined}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1} style={{ outline: 'none' }}>
        <Suspense fallback={<Loader aria-label="Loading page" />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
