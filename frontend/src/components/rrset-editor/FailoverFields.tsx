import { Checkbox, Fieldset, NativeSelect, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import {
  CHECK_PROTOCOLS,
  DNS_CHECK_RCODES,
  DNS_CHECK_TYPES,
  FAILOVER_LIMITS,
  HTTP_METHODS,
  type FailoverDraft,
  type Method,
  type Protocol,
} from '../../lib/rrset';
import { type Errors, firstErrorUnder } from './form';
import { NumberField } from './NumberField';

/**
 * The failover check: protocol, port, timing, and for HTTP(S) the request and what the answer must
 * be. `subject` is what is checked: each address, or each target (of a CNAME).
 */
export function FailoverFields({
  f,
  subject,
  errors,
  onChange,
}: {
  f: FailoverDraft;
  subject: string;
  errors: Errors;
  onChange: (f: FailoverDraft) => void;
}) {
  const set = (patch: Partial<FailoverDraft>) => onChange({ ...f, ...patch });
  const e = (k: string) => errors[`meta.failover.${k}`];
  const isHttp = f.protocol === 'HTTP' || f.protocol === 'HTTPS';
  const defaultPort = f.protocol === 'HTTPS' ? '443' : f.protocol === 'HTTP' ? '80' : f.protocol === 'DNS' ? '53' : '';
  // A free-text setting: a path, a host name or a pattern, so no autocompletion or spelling.
  const text = (
    k: 'url' | 'host' | 'regexp' | 'command' | 'http_status_code' | 'dns_name' | 'dns_answer',
    label: string,
    description: string,
    placeholder: string,
    mono = false,
    error = e(k),
  ) => (
    <TextInput
      label={label}
      value={f[k]}
      onChange={(ev) => set({ [k]: ev.currentTarget.value })}
      error={error}
      placeholder={placeholder}
      description={description}
      classNames={mono ? { input: 'mono' } : undefined}
      autoComplete="off"
      spellCheck={false}
    />
  );
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
        <NativeSelect
          label="Protocol"
          description={`How each ${subject} is checked`}
          data={[...CHECK_PROTOCOLS]}
          value={f.protocol}
          onChange={(ev) => set({ protocol: ev.currentTarget.value as Protocol })}
          error={e('protocol')}
        />
        {f.protocol !== 'ICMP' && (
          <NumberField
            label="Port"
            value={f.port}
            onChange={(v) => set({ port: v })}
            error={e('port')}
            placeholder={defaultPort}
            description={defaultPort ? `1–65535, default ${defaultPort}` : 'Required, 1–65535'}
            required={!defaultPort}
          />
        )}
        <NumberField
          label="Frequency (seconds)"
          value={f.frequency}
          onChange={(v) => set({ frequency: v })}
          error={e('frequency')}
          description={`${FAILOVER_LIMITS.frequency.min}–${FAILOVER_LIMITS.frequency.max} s between checks`}
          required
        />
        <NumberField
          label="Timeout (seconds)"
          value={f.timeout}
          onChange={(v) => set({ timeout: v })}
          error={e('timeout')}
          description={`${FAILOVER_LIMITS.timeout.min}–${FAILOVER_LIMITS.timeout.max} s, less than the frequency`}
          required
        />
      </SimpleGrid>
      {isHttp && (
        <>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
            <NativeSelect
              label="Method"
              description="HTTP request method"
              data={[...HTTP_METHODS]}
              value={f.method}
              onChange={(ev) => set({ method: ev.currentTarget.value as Method })}
              error={e('method')}
            />
            {text('url', 'URL path', 'Starts with /', '/health')}
            {text('host', 'Host header', `Optional; the ${subject} otherwise`, 'shop.example.com')}
            {text(
              'http_status_code',
              'Expected status',
              '100–599, or a list with ranges: 200-299, 301; empty: any answer',
              'any',
              false,
              e('http_status_code') ?? firstErrorUnder(errors, 'meta.failover.http_status_codes'),
            )}
          </SimpleGrid>
          {text(
            'regexp',
            f.regexp_invert ? 'Body must NOT match (regular expression)' : 'Body must match (regular expression)',
            `Optional, at most ${FAILOVER_LIMITS.regexpLength} characters`,
            'ok|healthy',
            true,
          )}
          <Checkbox
            label="Invert: the check fails when the body matches"
            checked={f.regexp_invert}
            onChange={(ev) => set({ regexp_invert: ev.currentTarget.checked })}
            error={e('regexp_invert')}
          />
          <Textarea
            label="Request headers"
            description={`Optional, one "Name: value" a line, at most ${FAILOVER_LIMITS.headers.count}; the Host header is set by Host header above`}
            value={f.headers}
            onChange={(ev) => set({ headers: ev.currentTarget.value })}
            error={firstErrorUnder(errors, 'meta.failover.headers')}
            placeholder="X-Health-Token: secret"
            classNames={{ input: 'mono' }}
            autosize
            minRows={2}
            autoComplete="off"
            spellCheck={false}
          />
        </>
      )}
      {f.protocol === 'DNS' && (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          {text('dns_name', 'Query name', `The name asked of each ${subject}`, 'www.example.com', true, e('dns.name') ?? e('dns'))}
          <NativeSelect
            label="Query type"
            data={[...DNS_CHECK_TYPES]}
            value={f.dns_type}
            onChange={(ev) => set({ dns_type: ev.currentTarget.value })}
            error={e('dns.type')}
          />
          <NativeSelect
            label="Sent over"
            data={[
              { value: 'udp', label: 'UDP' },
              { value: 'tcp', label: 'TCP' },
            ]}
            value={f.dns_transport}
            onChange={(ev) => set({ dns_transport: ev.currentTarget.value as 'udp' | 'tcp' })}
            error={e('dns.transport')}
          />
          <NativeSelect
            label="Expected rcode"
            data={[...DNS_CHECK_RCODES]}
            value={f.dns_rcode}
            onChange={(ev) => set({ dns_rcode: ev.currentTarget.value })}
            error={e('dns.rcode')}
          />
          {text(
            'dns_answer',
            'Expected answer',
            'Optional: a record of the answer must have this data (192.0.2.1, 10 mail.example.com)',
            '192.0.2.1',
            true,
            e('dns.answer'),
          )}
        </SimpleGrid>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
        <NumberField
          label="Max response (ms)"
          value={f.max_response_ms}
          onChange={(v) => set({ max_response_ms: v })}
          error={e('max_response_ms')}
          description="Optional: a slower answer counts as down; below the timeout"
          placeholder="none"
        />
        {f.protocol === 'HTTPS' && (
          <NumberField
            label="Certificate expiry warning (days)"
            value={f.cert_expiry_days}
            onChange={(v) => set({ cert_expiry_days: v })}
            error={e('cert_expiry_days')}
            description={`Optional, ${FAILOVER_LIMITS.certExpiryDays.min}–${FAILOVER_LIMITS.certExpiryDays.max}: warn in the health page; the check still passes`}
            placeholder="none"
          />
        )}
      </SimpleGrid>
      {(f.protocol === 'TCP' || f.protocol === 'UDP') && (
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          {text(
            'command',
            'Send',
            f.protocol === 'UDP' ? 'Optional: the datagram sent (empty when left out)' : 'Optional: sent after connecting',
            'PING',
            true,
          )}
          {text(
            'regexp',
            'Reply must match (regular expression)',
            `Optional, at most ${FAILOVER_LIMITS.regexpLength} characters`,
            'PONG',
            true,
          )}
        </SimpleGrid>
      )}
      {f.protocol === 'TCP' && (
        <Checkbox
          label="TLS handshake after connecting"
          checked={f.tls}
          onChange={(ev) => set({ tls: ev.currentTarget.checked })}
          error={e('tls')}
        />
      )}
      {(f.protocol === 'HTTPS' || (f.protocol === 'TCP' && f.tls)) && (
        <Checkbox
          label="Verify the certificate"
          checked={f.verify}
          onChange={(ev) => set({ verify: ev.currentTarget.checked })}
          error={e('verify')}
        />
      )}
      <Fieldset legend="Quorum and probe sites" variant="unstyled">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          <NumberField
            label="Available at (share ok)"
            value={f.quorum_available}
            onChange={(v) => set({ quorum_available: v })}
            error={e('quorum.available') ?? e('quorum')}
            description="Share of the fresh sites that must succeed, 0–1; empty for both: 0.85 and 0.2"
            placeholder="0.85"
            decimal
          />
          <NumberField
            label="Unavailable at (share failed)"
            value={f.quorum_unavailable}
            onChange={(v) => set({ quorum_unavailable: v })}
            error={e('quorum.unavailable')}
            description="Share of the fresh sites that must fail; with the other above 1 in all"
            placeholder="0.2"
            decimal
          />
          <NumberField
            label="Minimum fresh sites"
            value={f.min_locations}
            onChange={(v) => set({ min_locations: v })}
            error={e('min_locations')}
            description={`With fewer fresh results a ${subject} keeps its state; default 1`}
            placeholder="1"
          />
          <NumberField
            label="Minimum healthy"
            value={f.min_healthy}
            onChange={(v) => set({ min_healthy: v })}
            error={e('min_healthy')}
            description="With fewer up: the backup records, or all of them; default 1"
            placeholder="1"
          />
        </SimpleGrid>
        <TextInput
          mt="sm"
          label="Probe sites"
          value={f.locations}
          onChange={(ev) => set({ locations: ev.currentTarget.value })}
          error={firstErrorUnder(errors, 'meta.failover.locations')}
          description="The sites that check it, comma-separated (eu-1, us-1); empty: every site"
          placeholder="every site"
          classNames={{ input: 'mono' }}
          autoComplete="off"
          spellCheck={false}
        />
      </Fieldset>
    </Stack>
  );
}
