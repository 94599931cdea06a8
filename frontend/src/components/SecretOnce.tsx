import { Alert, Button, Code, CopyButton, Group, Stack } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/**
 * A secret the API shows in one answer only (a token, a webhook's signing secret): a warning,
 * the secret with a copy button, what to do with it, and a button to dismiss it for good.
 */
export function SecretOnce({
  title,
  secret,
  secretLabel,
  warning,
  testId,
  secretTestId,
  onDone,
  children,
}: {
  title: string;
  secret: string;
  secretLabel: string;
  /** Above the secret: that it is not shown again, and what to do if it is lost. */
  warning: ReactNode;
  testId: string;
  secretTestId: string;
  onDone: () => void;
  /** Below the secret: how to use it. */
  children?: ReactNode;
}) {
  return (
    <Alert
      color="yellow"
      icon={<IconAlertTriangle aria-hidden />}
      title={title}
      role="status"
      styles={{ title: { color: 'var(--mantine-color-dark-8)' } }}
      data-testid={testId}
    >
      <Stack gap="sm">
        {warning}
        <Group gap="xs" wrap="nowrap" align="center">
          <Code
            block
            style={{ flex: 1, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}
            data-testid={secretTestId}
            aria-label={secretLabel}
          >
            {secret}
          </Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button
                onClick={copy}
                color={copied ? 'teal' : 'blue'}
                leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
              >
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        {children}
        <Button variant="default" onClick={onDone} style={{ alignSelf: 'flex-start' }}>
          I have stored it
        </Button>
      </Stack>
    </Alert>
  );
}
