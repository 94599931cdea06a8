import { Badge } from '@mantine/core';
import type { SiteState } from '../api/types';

const COLOR = { reporting: 'green', stale: 'orange', gone: 'gray' } as const;

/** A probe site's state from its heartbeat: reporting, stale (left out of scheduling) or gone. */
export function SiteStateBadge({ state, size = 'sm', prefix = '' }: { state: SiteState; size?: 'xs' | 'sm' | 'md'; prefix?: string }) {
  return (
    <Badge color={COLOR[state]} variant={state === 'reporting' ? 'light' : 'outline'} size={size} data-testid="site-state">
      {prefix}
      {state}
    </Badge>
  );
}
