import { Anchor, Loader, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useRrset, useZone } from '../api/zones';
import { PageHeader } from '../components/PageHeader';
import { QueryError } from '../components/QueryError';
import { RrsetForm } from '../components/rrset-editor/RrsetForm';
import { RrsetPreview } from '../components/rrset-editor/RrsetPreview';
import { draftFromRrset, failoverApplies, newDraft } from '../lib/rrset';
import { usePageTitle } from '../lib/usePageTitle';

export function RrsetEditorPage() {
  const { zone = '', name, type } = useParams();
  const create = name === undefined;
  const zoneQ = useZone(zone);
  const rrset = useRrset(zone, name ?? '', type ?? '', !create);
  const title = create ? 'New record set' : `${name} ${type}`;
  usePageTitle(title);
  const initial = useMemo(() => (create ? newDraft() : rrset.data ? draftFromRrset(rrset.data, zone) : null), [create, rrset.data, zone]);

  if (zoneQ.isError) return <QueryError error={zoneQ.error} what="zone" />;
  if (!create && rrset.isError) return <QueryError error={rrset.error} what="record set" />;
  const crumbs = [
    { label: 'Zones', to: '/zones' },
    { label: zone, to: `/zones/${zone}` },
  ];
  return (
    <>
      <PageHeader title={<span style={{ overflowWrap: 'anywhere' }}>{title}</span>} crumbs={crumbs}>
        {!create && (
          <Text size="sm" c="dimmed">
            Changes apply to the DNS servers within seconds of saving.{' '}
            <Anchor component={Link} to={`/zones/${zone}`} size="sm">
              Back to the zone
            </Anchor>
          </Text>
        )}
      </PageHeader>
      {zoneQ.isPending || !initial ? (
        <Loader aria-label="Loading record set" />
      ) : (
        // Keyed by the loaded record set, so a save that changes it restarts the form from the server's copy.
        <Stack gap="lg">
          <RrsetForm
            key={create ? 'new' : `${rrset.data?.id}-${rrset.data?.updated_at}`}
            zone={zoneQ.data.name}
            initial={initial}
            create={create}
          />
          {/* The answers of A, AAAA and CNAME record sets, as the preview route gives them. */}
          {!create && rrset.data && failoverApplies(initial.type) && (
            <RrsetPreview zone={zoneQ.data.name} name={rrset.data.name} type={rrset.data.type} />
          )}
        </Stack>
      )}
    </>
  );
}
