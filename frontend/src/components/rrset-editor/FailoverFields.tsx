import { Checkbox, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { CHECK_PROTOCOLS, FAILOVER_LIMITS, HTTP_METHODS, type FailoverDraft, type Method, type Protocol } from '../../lib/rrset';
import type { Errors } from './form';
import { NumberField } from './NumberField';

/** The failover check: protocol, port, timing, and for HTTP(S) the request and what the answer must be. */
export function FailoverFields({ f, errors, onChange }: { f: FailoverDraft; errors: Errors; onChange: (f: FailoverDraft) => void }) {
  const set = (patch: Partial<FailoverDraft>) => onChange({ ...f, ...patch });
  const e = (k: string) => errors[`meta.failover.${k}`];
  const isHttp = f.protocol === 'HTTP' || f.protocol === 'HTTPS';
  const defaultPort = f.protocol === 'HTTPS' ? '443' : f.protocol === 'HTTP' ? '80' : '';
  // A free-text setting: a path, a host name or a pattern, so no autocompletion or spelling.
  const text = (k: 'url' | 'host' | 'regexp' | 'command', label: string, description: string, placeholder: string, mono = false) => (
    <TextInput
      label={label}
      value={f[k]}
      onChange={(ev) => set({ [k]: ev.currentTarget.value })}
      error={e(k)}
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
          description="How each address is checked"
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
            description={isHttp ? `1–65535, default ${defaultPort}` : 'Required, 1–65535'}
            required={!isHttp}
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
            {text('host', 'Host header', 'Optional; the address otherwise', 'shop.example.com')}
            <NumberField
              label="Expected status"
              value={f.http_status_code}
              onChange={(v) => set({ http_status_code: v })}
              error={e('http_status_code')}
              description="100–599; empty: any answer"
              placeholder="any"
            />
          </SimpleGrid>
          {text(
            'regexp',
            'Body must match (regular expression)',
            `Optional, at most ${FAILOVER_LIMITS.regexpLength} characters`,
            'ok|healthy',
            true,
          )}
        </>
      )}
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
    </Stack>
  );
}
