import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, pageQuery } from './client';
import { keys } from './keys';
import type { After, CreatedToken, NewToken } from './types';

export const useAccount = (enabled = true) =>
  useQuery({ queryKey: keys.account, queryFn: () => call(api.GET('/v2/account')), enabled, staleTime: 10_000 });

export const useFeatureRequests = (enabled = true) =>
  useQuery({ queryKey: keys.featureRequests, queryFn: () => call(api.GET('/v2/account/feature-requests')), enabled });

export function useRequestFeature() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (message: string) => call(api.POST('/v2/account/feature-requests', { body: { feature: 'failover', message } })),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.featureRequests });
      void qc.invalidateQueries({ queryKey: keys.account });
    },
  });
}

export const useTokens = () => useQuery({ queryKey: keys.tokens, queryFn: () => call(api.GET('/v2/account/tokens')) });

export function useCreateToken(after: After<CreatedToken, NewToken> = {}) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewToken) => call(api.POST('/v2/account/tokens', { body })),
    onSuccess: (t, body) => {
      after.onSuccess?.(t, body);
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
    onError: after.onError,
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call(api.DELETE('/v2/account/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.tokens }),
  });
}

/** One page of the audit log, of one action or all (`action` empty). */
export const useAuditLog = (page: number, action: string) =>
  useQuery({
    queryKey: keys.audit(page, action),
    queryFn: () => call(api.GET('/v2/account/audit-log', { params: { query: { ...pageQuery(page), action: action || undefined } } })),
    placeholderData: keepPreviousData,
  });
