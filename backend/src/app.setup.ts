import { type INestApplication, StandardSchemaValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import { json, type NextFunction, type Request, type Response, text } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { SESSION_COOKIE } from './auth/auth.service';
import { issuesToValidationFailed } from './common/errors';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { IMPORT_BODY_LIMIT, IMPORT_ROUTE, refuseReservedKeys, requireJsonBody, ZONE_FILE_TYPES } from './common/json-body';
import type { AppConfig } from './config/config';

/** Everything main.ts and the tests both need on the app, so tests run the real thing. */
export function configureApp(app: NestExpressApplication, config: AppConfig): OpenAPIObject {
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.TRUST_PROXY);
  // Gcore's API root is /dns/v2 (its generated SDKs use it): the same routes, before anything reads the path.
  app.use(gcoreRoot);
  app.use(helmet());
  app.use(cookieParser());
  app.enableCors({ origin: config.PANEL_ORIGIN, credentials: true, allowedHeaders: ['Authorization', 'Content-Type', 'X-Account-Id'] });
  app.use(requireJsonBody);
  // Registered before the general parser, which then leaves the parsed body alone.
  app.use(IMPORT_ROUTE, json({ limit: IMPORT_BODY_LIMIT }), text({ type: ZONE_FILE_TYPES, limit: IMPORT_BODY_LIMIT }));
  // The largest valid body (100 TXT records of 4096 bytes, escaped) is over the 100 kB default.
  app.useBodyParser('json', { limit: '4mb' });
  app.use(refuseReservedKeys);
  app.useGlobalPipes(new StandardSchemaValidationPipe({ exceptionFactory: (issues) => issuesToValidationFailed(issues) }));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return document;
}

const GCORE_ROOT = /^\/dns(?=\/v2(?:[/?]|$))/;

function gcoreRoot(req: Request, _res: Response, next: NextFunction): void {
  if (GCORE_ROOT.test(req.url)) req.url = req.url.replace(GCORE_ROOT, '');
  next();
}

export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Vigil API')
    .setDescription(
      'Authoritative DNS with health-checked failover. Integrators send `Authorization: APIKey <token>` (or ' +
        '`Bearer <token>`); the panel uses a session cookie. Errors are `{"error": "...", "details": [{"field", "reason"}]}`. ' +
        "Every route also answers under `/dns/v2`, Gcore's root, and Gcore's routes Vigil has no equivalent for answer 501.",
    )
    .setVersion('2')
    .addSecurity('APIKey', { type: 'apiKey', in: 'header', name: 'Authorization', description: 'APIKey <token> (or Bearer <token>)' })
    .addCookieAuth(SESSION_COOKIE)
    .build();
  return SwaggerModule.createDocument(app, config);
}
