import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Link } from 'react-router';
import { ApiError } from '../api/client';

/** What a page shows when its data could not be loaded: not found, refused, or a failure. */
export function QueryError({ error, what = 'page', retry }: { error: unknown; what?: string; retry?: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 404) {
    return (
      <Stack gap="sm" role="alert">
        <Title order={1}>Not found</Title>
        <Text>
          This {what} does not exist, or it belongs to another account.{' '}
          <Text span c="dimmed">
            ({message})
          </Text>
        </Text>
        <Group>
          <Button component={Link} to="/zones" variant="light">
            Back to zones
          </Button>
        </Group>
      </Stack>
    );
  }
  if (status === 403) {
    return (
      <Stack gap="sm" role="alert">
        <Title order={1}>Not allowed</Title>
        <Text>{message}</Text>
      </Stack>
    );
  }
  return (
    <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={`The ${what} could not be loaded`} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        {retry && (
          <Button size="xs" variant="white" color="red" onClick={retry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
