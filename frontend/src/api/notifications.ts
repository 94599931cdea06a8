import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, pageQuery } from './client';
import { keys } from './keys';
import type { After, ChannelChange, ChannelTestResult, ChannelWithSecret, NewChannel } from './types';

const path = (id: string) => ({ params: { path: { id } } });

export const useChannels = (enabled = true) =>
  useQuery({ queryKey: keys.channels, queryFn: () => call(api.GET('/v2/account/notification-channels')), enabled });

export function useCreateChannel(after: After<ChannelWithSecret, NewChannel> = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewChannel) => call(api.POST('/v2/account/notification-channels', { body })),
    onSuccess: (c, body) => {
      after.onSuccess?.(c, body);
      void qc.invalidateQueries({ queryKey: keys.channels });
    },
    onError: after.onError,
  });
}

export function useUpdateChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: ChannelChange }) =>
      call(api.PATCH('/v2/account/notification-channels/{id}', { ...path(id), body: change })),
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.channels }),
  });
}

export function useDeleteChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call(api.DELETE('/v2/account/notification-channels/{id}', path(id))),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.channels }),
  });
}

/** Sends a test message now; the answer says how it went (the channel's status and delivery log change too). */
export function useTestChannel() {
  const qc = useQueryClient();
  return useMutation<ChannelTestResult, Error, string>({
    mutationFn: (id: string) => call(api.POST('/v2/account/notification-channels/{id}/test', path(id))),
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.channels }),
  });
}

export const DELIVERY_PAGE_SIZE = 10;

/** One page of a channel's delivery log, newest first. */
export const useDeliveries = (id: string, page: number, enabled = true) =>
  useQuery({
    queryKey: keys.deliveries(id, page),
    queryFn: () =>
      call(
        api.GET('/v2/account/notification-channels/{id}/deliveries', {
          params: { path: { id }, query: pageQuery(page, DELIVERY_PAGE_SIZE) },
        }),
      ),
    placeholderData: keepPreviousData,
    enabled,
  });
