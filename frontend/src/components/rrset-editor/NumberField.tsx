import { TextInput } from '@mantine/core';
import type { ReactNode } from 'react';

/** A numeric text input: free text, so that out-of-range values reach validation and get its message. */
export function NumberField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  description?: ReactNode;
  placeholder?: string;
  w?: number | string;
  required?: boolean;
  disabled?: boolean;
  /** A share or another decimal (0.85): a keyboard with a decimal point. */
  decimal?: boolean;
}) {
  return (
    <TextInput
      label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      error={props.error}
      description={props.description}
      placeholder={props.placeholder}
      inputMode={props.decimal ? 'decimal' : 'numeric'}
      w={props.w}
      required={props.required}
      disabled={props.disabled}
      autoComplete="off"
    />
  );
}
