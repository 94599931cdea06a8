import { Alert, List, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import type { RrsetDraft } from '../../lib/rrset';
import { type Errors, fieldLabel } from './form';

/** Why the record set was not saved, with each field's error; focused when it appears or changes, for screen readers. */
export function ErrorSummary({ summary, errors, d }: { summary: string; errors: Errors; d: RrsetDraft }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [summary, errors]);
  const errorList = Object.entries(errors);
  return (
    <Alert
      ref={ref}
      tabIndex={-1}
      color="red"
      icon={<IconAlertTriangle aria-hidden />}
      title="The record set was not saved"
      role="alert"
      data-testid="error-summary"
    >
      <Text size="sm">{summary}</Text>
      {errorList.length > 0 && (
        <List size="sm" mt={4}>
          {errorList.map(([k, v]) => (
            <List.Item key={k}>
              {fieldLabel(k, d)}: {v}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
