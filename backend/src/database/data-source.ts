import { randomBytes } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Membership } from '../accounts/membership.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { Session } from '../auth/session.entity';
import { FeatureRequest } from '../features/feature-request.entity';
import { HealthEvent } from '../health/health-event.entity';
import { NotificationChannel } from '../notifications/channel.entity';
import { NotificationDelivery } from '../notifications/delivery.entity';
import { Rrset } from '../rrsets/rrset.entity';
import { ApiToken } from '../tokens/api-token.entity';
import { User } from '../users/user.entity';
import { Zone } from '../zones/zone.entity';
import { Initial1764060000000 } from './migrations/1764060000000-Initial';
import { ZoneVersion1764070000000 } from './migrations/1764070000000-ZoneVersion';
import { HealthEvents1764080000000 } from './migrations/1764080000000-HealthEvents';
import { RrsetPut1764090000000 } from './migrations/1764090000000-RrsetPut';
import { ZoneGcoreFields1764110000000 } from './migrations/1764110000000-ZoneGcoreFields';
import { PublishOutbox1764120000000 } from './migrations/1764120000000-PublishOutbox';
import { Notifications1764130000000 } from './migrations/1764130000000-Notifications';
import { AddressOverrides1764140000000 } from './migrations/1764140000000-AddressOverrides';
import { CertExpiryEvent1764150000000 } from './migrations/1764150000000-CertExpiryEvent';

export const ENTITIES = [
  Account,
  Membership,
  User,
  Session,
  ApiToken,
  FeatureRequest,
  AuditEvent,
  Zone,
  Rrset,
  HealthEvent,
  NotificationChannel,
  NotificationDelivery,
];
export const MIGRATIONS = [
  Initial1764060000000,
  ZoneVersion1764070000000,
  HealthEvents1764080000000,
  RrsetPut1764090000000,
  ZoneGcoreFields1764110000000,
  PublishOutbox1764120000000,
  Notifications1764130000000,
  AddressOverrides1764140000000,
  CertExpiryEvent1764150000000,
];

/** Options shared by the api, the CLI and the tests. Schema changes go through migrations only. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsTransactionMode: 'each',
    // Names this data source's sessions uniquely: the publish outbox records it as a row's owner,
    // and a relay reads pg_stat_activity to tell a live writer from one that died.
    applicationName: `vigil ${process.pid}-${randomBytes(4).toString('hex')}`,
    extra: { max: 20 },
  };
}

export const makeDataSource = (url: string) => new DataSource(dataSourceOptions(url));
