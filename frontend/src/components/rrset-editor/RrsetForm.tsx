import { Button, Group, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAccount } from '../../api/account';
import { useCheckNow } from '../../api/check-now';
import { ApiError } from '../../api/client';
import { useDeleteRrset, useSaveRrset } from '../../api/zones';
import { errorMessage, fieldErrors } from '../../lib/errors';
import { buildBody, emptyRecord, failoverApplies, fullName, validateDraft, type RecordType, type RrsetDraft } from '../../lib/rrset';
import { GuardRefusal, isGuardRefusal } from '../Overrides';
import { BalancingSection } from './BalancingSection';
import { BasicsSection } from './BasicsSection';
import { CheckNow } from './CheckNow';
import { ErrorSummary } from './ErrorSummary';
import { FailoverSection } from './FailoverSection';
import type { Errors } from './form';
import { RecordsSection } from './RecordsSection';

/** The record set form: checks the draft as the API would, then saves it; deletes from here too. */
export function RrsetForm({ zone, initial, create }: { zone: string; initial: RrsetDraft; create: boolean }) {
  const [d, setD] = useState<RrsetDraft>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const account = useAccount();
  const save = useSaveRrset(zone);
  const remove = useDeleteRrset(zone);
  const checkNow = useCheckNow(zone);
  const navigate = useNavigate();
  const featureOn = account.data?.features.failover ?? false;
  const hadFailover = !create && initial.failover.enabled;
  const name = fullName(d.name, zone);
  const set = (patch: Partial<RrsetDraft>) => setD((prev) => ({ ...prev, ...patch }));

  const changeType = (type: RecordType) =>
    setD((prev) => ({ ...prev, type, records: prev.records.map((r) => ({ ...emptyRecord(type), key: r.key, enabled: r.enabled })) }));

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const found = validateDraft(d, zone, featureOn);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setSummary('Fix the fields below and save again.');
      return;
    }
    send(false);
  };

  const send = (force: boolean) => {
    setErrors({});
    setSummary(null);
    setRefusal(null);
    save.mutate(
      { name, type: d.type, body: buildBody(d, featureOn), create, force },
      {
        onSuccess: async (r) => {
          notifications.show({ color: 'green', message: `${r.name} ${r.type} is saved.` });
          // A saved check is run at once from every location, so the customer sees within seconds what it finds.
          if (featureOn && r.meta.failover) checkNow.mutate({ name: r.name, type: r.type });
          if (create) await navigate(`/zones/${zone}/${r.name}/${r.type}`, { replace: true });
        },
        onError: (e) => {
          // The overrides' guard: every enabled record would be drained. Said, with the choice to save anyway.
          if (isGuardRefusal(e)) return setRefusal(e);
          setErrors(fieldErrors(e));
          setSummary(e instanceof ApiError ? e.message : errorMessage(e));
        },
      },
    );
  };

  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete ${name} ${d.type}?`,
      children: <Text size="sm">Its records stop being served at once. This cannot be undone.</Text>,
      labels: { confirm: 'Delete record set', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        remove.mutate(
          { name, type: d.type },
          {
            onSuccess: async () => {
              notifications.show({ message: `${name} ${d.type} is deleted.` });
              await navigate(`/zones/${zone}`);
            },
            onError: (e) => notifications.show({ color: 'red', title: 'The record set was not deleted', message: errorMessage(e) }),
          },
        ),
    });

  const savedName = initial.name === '@' ? zone : fullName(initial.name, zone);
  const healthUrl = `/zones/${zone}/${savedName}/${initial.type}/health`;

  return (
    <form onSubmit={submit} noValidate aria-label={create ? 'New record set' : `Record set ${name} ${d.type}`}>
      <Stack gap="lg">
        {summary && <ErrorSummary summary={summary} errors={errors} d={d} />}
        {refusal && <GuardRefusal error={refusal} onForce={() => send(true)} onCancel={() => setRefusal(null)} pending={save.isPending} />}
        <BasicsSection d={d} errors={errors} set={set} create={create} name={name} onTypeChange={changeType} />
        <RecordsSection d={d} errors={errors} setD={setD} withFailover={featureOn} />
        <BalancingSection d={d} errors={errors} set={set} />
        {failoverApplies(d.type) && (
          <FailoverSection
            d={d}
            errors={errors}
            set={set}
            featureOn={featureOn}
            featurePending={account.isPending}
            hadFailover={hadFailover}
            healthUrl={healthUrl}
            checkNow={hadFailover && featureOn ? <CheckNow zone={zone} name={savedName} type={initial.type} /> : null}
          />
        )}

        <Group justify="space-between">
          <Group gap="sm">
            <Button type="submit" loading={save.isPending} disabled={account.isPending}>
              {create ? 'Create record set' : 'Save changes'}
            </Button>
            <Button component={Link} to={`/zones/${zone}`} variant="default">
              Cancel
            </Button>
          </Group>
          {!create && !(name === zone && d.type === 'NS') && (
            <Button variant="subtle" color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={confirmDelete}>
              Delete record set
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
