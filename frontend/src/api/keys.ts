/**
 * Query keys, built only here, so that a mutation invalidates exactly what it changed. A key
 * that starts another (`allZones`, `allRrsets`, `admin`) stands for every query under it.
 */
export const keys = {
  me: ['me'] as const,
  account: ['account'] as const,
  featureRequests: ['feature-requests'] as const,
  tokens: ['tokens'] as const,
  audit: (page: number, action: string) => ['audit', page, action] as const,
  channels: ['notification-channels'] as const,
  deliveries: (id: string, page: number) => ['notification-channels', id, 'deliveries', page] as const,
  allZones: ['zones'] as const,
  zones: (search: string, page: number) => ['zones', { search, page }] as const,
  zone: (zone: string) => ['zone', zone] as const,
  allRrsets: (zone: string) => ['rrsets', zone] as const,
  rrsets: (zone: string, page: number) => ['rrsets', zone, page] as const,
  rrset: (zone: string, name: string, type: string) => ['rrset', zone, name, type] as const,
  zoneHealth: (zone: string) => ['zone-health', zone] as const,
  health: (zone: string, name: string, type: string) => ['health', zone, name, type] as const,
  /** Mutations, not queries: the record set's one-off runs ("check now"), read back after the form remounts. */
  checkNow: (zone: string) => ['check-now', zone] as const,
  allPreviews: (zone: string, name: string, type: string) => ['preview', zone, name, type] as const,
  preview: (zone: string, name: string, type: string, client: string) => ['preview', zone, name, type, client] as const,
  healthEvents: (zone: string, name: string, type: string, page: number) => ['health-events', zone, name, type, page] as const,
  recentHealthEvents: (zone: string, name: string, type: string, windowMs: number) =>
    ['health-events-window', zone, name, type, windowMs] as const,
  admin: ['admin'] as const,
  adminAccounts: (search: string, page: number) => ['admin', 'accounts', search, page] as const,
  adminAccount: (id: string) => ['admin', 'account', id] as const,
  adminRequests: (status: string) => ['admin', 'requests', status] as const,
  adminSites: ['admin', 'sites'] as const,
};
