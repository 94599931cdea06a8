import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePageTitle } from '../lib/usePageTitle';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <Stack gap="sm" align="flex-start">
      <Title order={1}>Not found</Title>
      <Text>There is no page at this address.</Text>
      <Button component={Link} to="/zones" variant="light">
        Back to zones
      </Button>
    </Stack>
  );
}
