import type { paths } from './schema';

type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer J } } }
    ? J
    : R extends { 201: { content: { 'application/json': infer J } } }
      ? J
      : never
  : never;

/**
 * What a page does once a mutation settles, besides the hook's own cache updates; it runs for
 * every call (a callback given to `mutate` runs for the last call only).
 */
export interface After<D, V> {
  onSuccess?: (data: D, variables: V) => unknown;
  onError?: (error: Error, variables: V) => unknown;
}

/** The JSON body a route takes. */
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B }
  ? NonNullable<B> extends { content: { 'application/json': infer J } }
    ? J
    : never
  : never;

export type Me = Ok<'/v2/auth/me', 'get'>;
export type SignIn = Body<'/v2/auth/signin', 'post'>;
export type SignUp = Body<'/v2/auth/signup', 'post'>;
export type Account = Ok<'/v2/account', 'get'>;
export type FeatureRequest = Ok<'/v2/account/feature-requests', 'get'>['requests'][number];
export type Zone = Ok<'/v2/zones/{zone}', 'get'>;
export type ZoneList = Ok<'/v2/zones', 'get'>;
export type Rrset = Ok<'/v2/zones/{zone}/{name}/{type}', 'get'>;
export type RrsetList = Ok<'/v2/zones/{zone}/rrsets', 'get'>;
export type ZoneHealth = Ok<'/v2/zones/{zone}/health', 'get'>;
export type RrsetHealthSummary = ZoneHealth['rrsets'][number];
export type RrsetHealth = Ok<'/v2/zones/{zone}/{name}/{type}/health', 'get'>;
export type AddressHealth = RrsetHealth['addresses'][number];
/** A probe site as the customers' health read-out shows it. */
export type HealthSite = RrsetHealth['sites'][number];
export type HealthQuorum = NonNullable<RrsetHealth['quorum']>;
export type SiteState = HealthSite['state'];
/** A drain, forced-up or maintenance window of one address of a record set (Vigil's own). */
export type RrsetOverride = Ok<'/v2/zones/{zone}/{name}/{type}/overrides', 'get'>['overrides'][number];
export type OverrideBody = Body<'/v2/zones/{zone}/{name}/{type}/overrides', 'post'>;
export type CheckNowRun = Ok<'/v2/zones/{zone}/{name}/{type}/check', 'post'>;
export type CheckNowLocation = CheckNowRun['locations'][number];
export type HealthEvents = Ok<'/v2/zones/{zone}/{name}/{type}/health/events', 'get'>;
export type HealthEvent = HealthEvents['events'][number];
export type Token = Ok<'/v2/account/tokens', 'get'>['tokens'][number];
export type NewToken = Body<'/v2/account/tokens', 'post'>;
export type CreatedToken = Ok<'/v2/account/tokens', 'post'>;
export type AuditList = Ok<'/v2/account/audit-log', 'get'>;
export type Channel = Ok<'/v2/account/notification-channels', 'get'>['channels'][number];
export type ChannelType = Channel['type'];
export type NotifyEvent = Channel['events'][number];
export type NewChannel = Body<'/v2/account/notification-channels', 'post'>;
export type ChannelChange = Body<'/v2/account/notification-channels/{id}', 'patch'>;
/** A channel as created or changed: a webhook's signing secret is in this answer only. */
export type ChannelWithSecret = Ok<'/v2/account/notification-channels', 'post'>;
export type ChannelTestResult = Ok<'/v2/account/notification-channels/{id}/test', 'post'>;
export type DeliveryList = Ok<'/v2/account/notification-channels/{id}/deliveries', 'get'>;
export type Delivery = DeliveryList['deliveries'][number];
export type AdminAccount = Ok<'/v2/admin/accounts/{id}', 'get'>;
export type AdminAccountList = Ok<'/v2/admin/accounts', 'get'>;
export type AdminSiteList = Ok<'/v2/admin/sites', 'get'>;
export type AdminSite = AdminSiteList['sites'][number];
export type ForgottenSite = Ok<'/v2/admin/sites/{name}', 'delete'>;
export type RrsetBody = Body<'/v2/zones/{zone}/{name}/{type}', 'put'>;
