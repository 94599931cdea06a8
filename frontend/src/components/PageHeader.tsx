import { Anchor, Breadcrumbs, Group, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** The page's title (its only h1), breadcrumbs above it and actions beside it. */
export function PageHeader({
  title,
  crumbs = [],
  actions,
  children,
}: {
  title: ReactNode;
  crumbs?: { label: string; to: string }[];
  actions?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <Stack gap={6} mb="lg">
      {crumbs.length > 0 && (
        <nav aria-label="Breadcrumb">
          <Breadcrumbs separatorMargin={6} style={{ flexWrap: 'wrap' }}>
            {crumbs.map((c) => (
              <Anchor key={c.to} component={Link} to={c.to} size="sm">
                {c.label}
              </Anchor>
            ))}
          </Breadcrumbs>
        </nav>
      )}
      <Group justify="space-between" align="flex-end" gap="sm">
        <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
          {title}
        </Title>
        {actions && <Group gap="xs">{actions}</Group>}
      </Group>
      {children}
    </Stack>
  );
}
