import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import type { Zone } from '../api/types';
import { useDeleteZone } from '../api/zones';
import { errorMessage } from '../lib/errors';

/**
 * The delete-zone confirmation, for the zone list and the zone page: returns the function that
 * asks and, once confirmed, deletes; `onDeleted` runs after the zone is gone.
 */
export function useConfirmDeleteZone(onDeleted?: () => void | Promise<void>) {
  const remove = useDeleteZone({
    onSuccess: async (_d, zone) => {
      notifications.show({ message: `Zone ${zone} is deleted.` });
      await onDeleted?.();
    },
    onError: (e, zone) => notifications.show({ color: 'red', title: `Zone ${zone} was not deleted`, message: errorMessage(e) }),
  });
  return (z: Pick<Zone, 'name' | 'rrsets_amount'>) =>
    modals.openConfirmModal({
      title: `Delete zone ${z.name}?`,
      children: (
        <Text size="sm">
          The zone and its {z.rrsets_amount.total} record sets are deleted, and the DNS servers stop answering for {z.name}. This cannot be
          undone.
        </Text>
      ),
      labels: { confirm: 'Delete zone', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(z.name),
    });
}
