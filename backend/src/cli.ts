import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import * as argon2 from 'argon2';
import { AppModule } from './app.module';
import { openApiDocument } from './app.setup';
import { ConfigError, loadConfig } from './config/config';
import { makeDataSource } from './database/data-source';
import { ensureDatabase, runMigrations } from './database/preflight';
import { User } from './users/user.entity';

const USAGE = `usage: vigil-api <command>
  migrate                                     run pending database migrations
  create-support-user --email E [--password P]  create or reset a support user
                                              (password from --password or SUPPORT_PASSWORD)
  openapi [--out FILE]                        print (or write) the OpenAPI document`;

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'migrate': {
      await ensureDatabase(config.DATABASE_URL);
      const ds = await makeDataSource(config.DATABASE_URL).initialize();
      const done = await runMigrations(ds);
      await ds.destroy();
      console.log(done.length ? `applied: ${done.join(', ')}` : 'database is up to date');
      return;
    }
    case 'create-support-user': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' } } });
      const email = values.email?.toLowerCase();
      const password = values.password ?? process.env.SUPPORT_PASSWORD;
      if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new ConfigError('--email must be an e-mail address');
      if (!password || password.length < 12) throw new ConfigError('the password must be at least 12 characters');
      await ensureDatabase(config.DATABASE_URL);
      const ds = await makeDataSource(config.DATABASE_URL).initialize();
      await runMigrations(ds);
      const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
      await ds.getRepository(User).upsert({ email, passwordHash, isSupport: true }, ['email']);
      await ds.destroy();
      console.log(`support user ${email} is ready`);
      return;
    }
    case 'openapi': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      // Preview mode builds the routes without connecting to PostgreSQL.
      const app = await NestFactory.create(AppModule.forRoot({ ...config, LOG_LEVEL: 'silent' }), { preview: true, logger: false });
      const json = JSON.stringify(openApiDocument(app), null, 2);
      if (values.out) writeFileSync(values.out, `${json}\n`);
      else process.stdout.write(`${json}\n`);
      await app.close();
      return;
    }
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : (e.stack ?? e.message));
  process.exit(1);
});
